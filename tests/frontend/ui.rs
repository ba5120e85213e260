//! The inputs under `tests/` that carry their command in a header line,
//! run by one runner, and the bad inputs of `tests/ui/`.
//!
//! A header is the first line of a `.cnn` file (a `//` comment, so the file
//! stays an ordinary input):
//!
//! ```text
//! // cnnc: ARGS [=> exit N]
//! ```
//!
//! The runner runs the real binary, `cnnc FILE ARGS`, in the repository
//! root, with FILE relative to it (as diagnostics name it). ARGS split at
//! whitespace; one argument `{a,b,c}` runs the command once per
//! alternative, and the output of each run is a section `--- a ---`. A
//! run's output is its stdout, then its stderr (after a line `--- stderr
//! ---` when both are non-empty); every run must exit with status N (0
//! without `=> exit N`). The outputs of `tests/DIR/NAME.cnn` are the
//! snapshot `snapshots/DIR/NAME.snap`.
//!
//! Every file of `tests/ui/` has a header; its snapshot holds the rich,
//! short and JSON renderings of its diagnostics.

use std::path::{Path, PathBuf};
use std::process::Command;

use cnnc::diag::render::{render, Style};
use cnnc::frontend::parse_and_check;

/// What starts a header line.
const HEADER: &str = "// cnnc:";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `p` relative to the repository root, with `/` between the parts.
fn relative(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every `.cnn` file under `dir`, recursively, sorted.
fn cnn_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files.extend(cnn_files(&p));
        } else if p.extension().is_some_and(|x| x == "cnn") {
            files.push(p);
        }
    }
    files.sort();
    files
}

fn ui_files() -> Vec<PathBuf> {
    let files = cnn_files(&root().join("tests/ui"));
    assert!(
        files.len() >= 25,
        "want at least 25 bad inputs, have {}",
        files.len()
    );
    files
}

/// A header: the arguments after FILE and the exit status every run has.
#[derive(Debug)]
struct Header {
    args: Vec<String>,
    exit: i32,
}

/// The header of `bytes`, if its first line is one; panics on a malformed
/// header so that a typo does not silently skip the file.
fn header(name: &str, bytes: &[u8]) -> Option<Header> {
    let first = bytes.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(first).ok()?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let rest = line.strip_prefix(HEADER)?;
    let (args, exit) = match rest.split_once("=>") {
        None => (rest, 0),
        Some((args, status)) => {
            let n = status
                .trim()
                .strip_prefix("exit ")
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name}: want `=> exit N`, have `=>{status}`"));
            (args, n)
        }
    };
    let args: Vec<String> = args.split_whitespace().map(String::from).collect();
    let groups = args.iter().filter(|a| a.starts_with('{')).count();
    assert!(
        groups <= 1,
        "{name}: at most one {{a,b}} group, have {groups}"
    );
    Some(Header { args, exit })
}

/// The runs of a header: (section title, arguments), one per alternative
/// of its `{a,b}` group, or one untitled run.
fn runs(name: &str, h: &Header) -> Vec<(Option<String>, Vec<String>)> {
    let Some(i) = h.args.iter().position(|a| a.starts_with('{')) else {
        return vec![(None, h.args.clone())];
    };
    let group = h.args[i]
        .strip_prefix('{')
        .and_then(|g| g.strip_suffix('}'))
        .unwrap_or_else(|| panic!("{name}: unclosed group {}", h.args[i]));
    group
        .split(',')
        .map(|alt| {
            let mut args = h.args.clone();
            args[i] = alt.to_string();
            (Some(alt.to_string()), args)
        })
        .collect()
}

/// Every `.cnn` file under `tests/` with a header, as (path relative to the
/// repository root, header).
fn header_inputs() -> Vec<(String, Header)> {
    cnn_files(&root().join("tests"))
        .into_iter()
        .filter_map(|p| {
            let rel = relative(&p);
            let h = header(&rel, &std::fs::read(&p).unwrap())?;
            Some((rel, h))
        })
        .collect()
}

#[test]
fn inputs_run_as_their_headers_say() {
    let inputs = header_inputs();
    for p in ui_files() {
        let rel = relative(&p);
        assert!(
            inputs.iter().any(|(r, _)| *r == rel),
            "{rel} has no `{HEADER}` header line"
        );
    }
    for (rel, h) in &inputs {
        let mut text = String::new();
        for (title, args) in runs(rel, h) {
            let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
                .arg(rel)
                .args(&args)
                .current_dir(root())
                .output()
                .unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert_eq!(
                out.status.code(),
                Some(h.exit),
                "cnnc {rel} {}: {stderr}",
                args.join(" ")
            );
            if let Some(t) = title {
                text.push_str(&format!("--- {t} ---\n"));
            }
            text.push_str(&stdout);
            if !stdout.is_empty() && !stderr.is_empty() {
                text.push_str("--- stderr ---\n");
            }
            text.push_str(&stderr);
        }
        let path = Path::new(rel);
        let dir = path.parent().unwrap().strip_prefix("tests").unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({
            snapshot_path => root().join("snapshots").join(dir),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem, text);
        });
    }
}

#[test]
fn header_syntax() {
    let h = header("a", b"// cnnc: --diagnostics {rich,short} => exit 1\nlayer").unwrap();
    assert_eq!(h.exit, 1);
    let r = runs("a", &h);
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[1],
        (
            Some("short".into()),
            vec!["--diagnostics".into(), "short".into()]
        )
    );
    let h = header("b", b"// cnnc: --emit stats").unwrap();
    assert_eq!(
        (h.exit, runs("b", &h)),
        (0, vec![(None, vec!["--emit".into(), "stats".into()])])
    );
    assert!(header("c", b"layer a { } // cnnc: x").is_none());
    assert!(header("d", b"").is_none());
}

#[test]
fn bad_inputs_give_well_formed_diagnostics() {
    for path in ui_files() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let name = format!("tests/ui/{stem}.cnn");
        let diags = match parse_and_check(&source) {
            Ok(_) => panic!("{name} should have errors"),
            Err(d) => d,
        };
        for d in &diags {
            assert!(
                d.code.as_str().starts_with('E') && d.code.as_str().len() == 5,
                "{name}: bad code {}",
                d.code
            );
            assert_eq!(
                d.labels.iter().filter(|l| l.primary).count(),
                1,
                "{name}: {d:?}"
            );
        }
    }
}

#[test]
fn json_lines_parse_and_carry_positions() {
    let source = std::fs::read_to_string(root().join("tests/ui/ofmap_mismatch.cnn")).unwrap();
    let diags = parse_and_check(&source).unwrap_err();
    let json = render(&diags, "x.cnn", &source, Style::Json, false);
    for line in json.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["file"], "x.cnn");
        assert_eq!(v["code"], "E0020");
        // Line 9: the header is line 1.
        assert_eq!(v["start"]["line"], 9);
        assert!(v["labels"].as_array().unwrap().len() >= 4);
    }
}

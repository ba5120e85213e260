//! Every bad input in tests/ui/ gives diagnostics; their rich (uncoloured),
//! short and JSON renderings are snapshots in snapshots/ui/.

use std::path::Path;

use cnnc::diag::render::{render, Style};
use cnnc::frontend::parse_and_check;

fn ui_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/ui exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cnn"))
        .collect();
    files.sort();
    files
}

#[test]
fn bad_inputs_render_in_all_forms() {
    let files = ui_files();
    assert!(
        files.len() >= 25,
        "want at least 25 bad inputs, have {}",
        files.len()
    );
    for path in files {
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
        let text = format!(
            "--- rich ---\n{}--- short ---\n{}--- json ---\n{}",
            render(&diags, &name, &source, Style::Rich, false),
            render(&diags, &name, &source, Style::Short, false),
            render(&diags, &name, &source, Style::Json, false),
        );
        insta::with_settings!({ snapshot_path => "../snapshots/ui", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(stem, text);
        });
    }
}

#[test]
fn json_lines_parse_and_carry_positions() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/ofmap_mismatch.cnn"),
    )
    .unwrap();
    let diags = parse_and_check(&source).unwrap_err();
    let json = render(&diags, "x.cnn", &source, Style::Json, false);
    for line in json.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["file"], "x.cnn");
        assert_eq!(v["code"], "E0020");
        assert_eq!(v["start"]["line"], 8);
        assert!(v["labels"].as_array().unwrap().len() >= 4);
    }
}

//! `--compare` (row-stationary vs Grad-Flow side by side, forward on rs, igrad and fgrad, and the totals)
//! on every example, pinned as snapshots in `snapshots/compare/`.

use std::process::Command;

use crate::common;

fn compare(file: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args([file, "--pass", "all", "--compare"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    // A side the arch cannot hold is marked `refused` in the table and its
    // diagnostic goes to stderr with exit status 1; nothing else fails.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8(out.stdout).unwrap();
    match out.status.code() {
        Some(0) => assert!(!stdout.contains("refused"), "{file}: exit 0 with a refusal"),
        Some(1) => {
            assert!(stdout.contains("refused"), "{file}: {stderr}");
            assert!(
                stderr.contains("error[E03") || stderr.contains("error[E0090]"),
                "{file}: {stderr}"
            );
        }
        c => panic!("{file}: exit {c:?}: {stderr}"),
    }
    stdout
}

#[test]
fn compare_the_small_examples() {
    compare_each(false);
}

/// Minutes: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn compare_the_large_examples() {
    compare_each(true);
}

fn compare_each(large: bool) {
    for path in common::examples_sized(large) {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = compare(&format!("examples/{stem}.cnn"));
        insta::with_settings!({
            snapshot_path => format!("{}/snapshots/compare", env!("CARGO_MANIFEST_DIR")),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem, text);
        });
    }
}

#[test]
fn compare_refuses_the_forward_pass() {
    let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args([
            "examples/tiny_s1.cnn",
            "--compare",
            "--diagnostics",
            "short",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0205"));
}

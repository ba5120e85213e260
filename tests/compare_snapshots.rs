//! `--compare` (row-stationary vs Grad-Flow side by side) on the examples,
//! pinned as snapshots in `snapshots/compare/`.

use std::process::Command;

fn compare(file: &str, pass: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args([file, "--pass", pass, "--compare"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn compare_small_examples() {
    for (file, name) in [
        ("examples/tiny_s1.cnn", "tiny_s1"),
        ("examples/tiny_s2.cnn", "tiny_s2"),
        ("examples/small_s2.cnn", "small_s2"),
        ("examples/nonsquare.cnn", "nonsquare"),
        ("examples/padded.cnn", "padded"),
        ("examples/conv4.cnn", "conv4"),
    ] {
        for pass in ["igrad", "fgrad"] {
            let text = compare(file, pass);
            insta::with_settings!({
                snapshot_path => format!("{}/snapshots/compare", env!("CARGO_MANIFEST_DIR")),
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("{name}-{pass}"), text);
            });
        }
    }
}

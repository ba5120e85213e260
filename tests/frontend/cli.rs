//! The command line through `driver::run_with`: argument shapes, target
//! selection, exit statuses.

use crate::common::{example, run};

fn temp(name: &str, content: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("cnnc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.display().to_string()
}

#[test]
fn emit_ast_and_check() {
    let (code, out, _) = run(&[&example("conv4.cnn"), "--emit", "ast"]);
    assert_eq!(code, 0);
    assert!(out.contains("layer alexnet_conv4 {"));
    let (code, out, _) = run(&[&example("conv4.cnn"), "--emit", "ast", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["layers"][0]["ofmap"]["h"], 6);
    let (code, out, err) = run(&["check", &example("alexnet.cnn")]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[&example("conv4.cnn"), "--gflow-group", "0"]).0, 2);
    assert_eq!(run(&[&example("conv4.cnn"), "--pass", "sideways"]).0, 2);
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["--list-passes"]).0, 0);
}

#[test]
fn input_errors_exit_1() {
    let bad = temp(
        "bad.cnn",
        b"layer l { ifmap = 13; filter = 3; output_pad = 3 x 4; }",
    );
    let (code, _, err) = run(&[&bad, "--diagnostics", "short"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.cnn:1:48: error[E0044]"), "{err}");
    let (code, _, err) = run(&["check", &bad, "--diagnostics", "json"]);
    assert_eq!(code, 1);
    assert!(err
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    let (code, _, err) = run(&["/nonexistent/x.cnn"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"));
    let latin1 = temp(
        "latin1.cnn",
        b"// caf\xe9\nlayer l { ifmap = 5; filter = 3; }",
    );
    let (code, _, err) = run(&["check", &latin1, "--diagnostics", "short"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0030"), "{err}");
}

#[test]
fn target_and_arch_selection() {
    let (code, _, err) = run(&[
        &example("alexnet.cnn"),
        "--layer",
        "alexnet.conv9",
        "--diagnostics",
        "short",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("E0041"), "{err}");
    let (code, _, err) = run(&[&example("small_arch.cnn"), "--arch", "smal"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `small`?"), "{err}");
    let two = temp(
        "two.cnn",
        b"layer a { ifmap = 5; filter = 3; } layer b { ifmap = 5; filter = 3; }",
    );
    let (code, _, err) = run(&[&two]);
    assert_eq!(code, 1);
    assert!(err.contains("E0040") && err.contains("`a`, `b`"), "{err}");
    // A valid request reaches the back end and succeeds.
    let (code, _, err) = run(&[&example("alexnet.cnn"), "--layer", "alexnet"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn output_file() {
    let out = temp("out.txt", b"");
    let (code, stdout, _) = run(&[&example("tiny_s1.cnn"), "--emit", "ast", "-o", &out]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("layer tiny_s1"));
}

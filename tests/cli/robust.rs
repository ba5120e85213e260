//! The command line under bad input and faults (issue 12): exit codes that
//! tell the truth, refusals on stderr, write failures as E0920 in the chosen
//! form, output files written whole or not at all, flag conflicts, numbers
//! checked, no fixed output buffer refusing a large layer.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn cnnc_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cnnc-robust-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn files(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const LAYER: &str = "layer l { ifmap = 5; filter = 3; }\n";

#[test]
fn a_refusal_prints_the_report_and_exits_1_with_the_diagnostic_on_stderr() {
    let d = scratch("refusal");
    // A GLB too small for any mapping: E0301.
    std::fs::write(
        d.join("a.cnn"),
        "arch tiny : eyeriss { glb.banks = 1; glb.bank = 16 B; }\nlayer l { ifmap = 27; filter = 5; channels = 48; filters = 64; }\n",
    )
    .unwrap();
    let (code, out, err) = cnnc_in(&d, &["a.cnn", "--arch", "tiny", "--diagnostics", "short"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("pass_stats") && out.contains("layer_stats: refused: error[E0301]"),
        "{out}"
    );
    assert!(err.contains("a.cnn:2:1: error[E0301]"), "{err}");
}

#[test]
fn write_failures_are_e0920_in_every_form() {
    let d = scratch("full");
    std::fs::write(d.join("a.cnn"), LAYER).unwrap();
    if !Path::new("/dev/full").exists() {
        return;
    }
    for (form, want) in [
        ("rich", "error[E0920]"),
        ("short", "error[E0920]"),
        ("json", "\"code\":\"E0920\""),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
            .args(["a.cnn", "--diagnostics", form])
            .current_dir(&d)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{form}: {err}");
        assert!(err.contains(want), "{form}: {err}");
    }
}

#[test]
fn outputs_are_checked_before_the_work_and_never_the_input() {
    let d = scratch("outputs");
    std::fs::write(d.join("a.cnn"), LAYER).unwrap();
    let (code, _, err) = cnnc_in(&d, &["a.cnn", "-o", "a.cnn", "--diagnostics", "short"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0922"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("a.cnn")).unwrap(), LAYER);
    // An unwritable side file stops the run before anything is written.
    let (code, out, err) = cnnc_in(
        &d,
        &[
            "a.cnn",
            "-o",
            "out.txt",
            "--pe-stats",
            "no/such/dir/pes.csv",
            "--diagnostics",
            "short",
        ],
    );
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("E0920") && err.contains("pes.csv"), "{err}");
    assert_eq!(files(&d), ["a.cnn"], "no partial or temporary file is left");
    // Two outputs naming one file.
    let (code, _, err) = cnnc_in(&d, &["a.cnn", "-o", "x", "--summary", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("E0050"), "{err}");
    // A good run writes every file whole and nothing else.
    let (code, _, err) = cnnc_in(
        &d,
        &[
            "a.cnn",
            "-o",
            "out.txt",
            "--pe-stats",
            "pes.csv",
            "--summary",
            "s.stats",
            "--dram-trace",
            "t.trace",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        files(&d),
        ["a.cnn", "out.txt", "pes.csv", "s.stats", "t.trace"]
    );
    assert!(std::fs::read_to_string(d.join("out.txt"))
        .unwrap()
        .contains("pass_stats"));
}

#[test]
fn a_failed_run_leaves_no_side_file() {
    let d = scratch("failed");
    // Grad-Flow forward is refused (E0202) after the files are prepared.
    std::fs::write(d.join("a.cnn"), LAYER).unwrap();
    let (code, _, err) = cnnc_in(
        &d,
        &[
            "a.cnn",
            "--dataflow",
            "gflow",
            "-o",
            "o.txt",
            "--pe-stats",
            "p.csv",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(files(&d), ["a.cnn"]);
}

#[test]
fn networks_write_one_side_file_per_layer_pass() {
    let d = scratch("network");
    std::fs::write(
        d.join("n.cnn"),
        "network net {\n  layer a { ifmap = 5; filter = 3; }\n  layer b { ifmap = 7; filter = 3; }\n}\n",
    )
    .unwrap();
    let (code, _, err) = cnnc_in(&d, &["n.cnn", "--pe-stats", "pes.csv", "--pass", "all"]);
    assert_eq!(code, 0, "{err}");
    let want: Vec<String> = ["a", "b"]
        .iter()
        .flat_map(|l| ["fgrad", "forward", "igrad"].map(|p| format!("pes.{l}.{p}.csv")))
        .chain(["n.cnn".to_string()])
        .collect();
    let mut want = want;
    want.sort();
    assert_eq!(files(&d), want);
}

#[test]
fn one_refused_layer_of_a_network_is_marked_and_the_others_reported() {
    let d = scratch("netrefuse");
    // b is refused by the simulator's PE-set limit (E0210); a runs.
    std::fs::write(
        d.join("n.cnn"),
        "network net {\n  layer a { ifmap = 5; filter = 3; }\n  layer b { ifmap = 1000000 x 1; filter = 1; }\n}\n",
    )
    .unwrap();
    let (code, out, err) = cnnc_in(&d, &["n.cnn", "--diagnostics", "short"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("net.a ") && out.contains("net.b ") && out.contains("refused"),
        "{out}"
    );
    assert!(err.contains("E0210"), "{err}");
    let (code, out, _) = cnnc_in(&d, &["n.cnn", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["layers"][0]["layer_stats"].is_object());
    assert!(v["layers"][1]["refused"]
        .as_str()
        .unwrap()
        .contains("E0210"));
}

#[test]
fn meaningless_flag_combinations_are_e0050() {
    let d = scratch("flags");
    std::fs::write(d.join("a.cnn"), LAYER).unwrap();
    for args in [
        vec!["--compare", "--dataflow", "gflow", "--pass", "igrad"],
        vec!["--after", "lower"],
        vec!["--gflow-group", "2"],
        vec!["--emit", "ir", "--pe-stats", "x.csv"],
        vec!["--emit", "signals", "--summary", "x"],
        vec!["--compare", "--pass", "igrad", "--dram-trace", "t"],
        vec!["--emit", "ast", "--seed", "3"],
    ] {
        let mut all = vec!["a.cnn", "--diagnostics", "short"];
        all.extend(args.iter().copied());
        let (code, out, err) = cnnc_in(&d, &all);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(err.contains("E0050"), "{args:?}: {err}");
    }
    assert_eq!(files(&d), ["a.cnn"]);
}

#[test]
fn inputs_are_read_only_from_regular_files() {
    let d = scratch("inputs");
    for p in ["/dev/zero", "/dev/null", "/"] {
        if Path::new(p).exists() {
            let (code, _, err) = cnnc_in(&d, &[p, "--diagnostics", "short"]);
            assert_eq!(code, 1, "{p}: {err}");
            assert!(err.contains("E0921"), "{p}: {err}");
            let (code, _, err) = cnnc_in(&d, &["dram", p, "--diagnostics", "short"]);
            assert_eq!(code, 1, "{p}: {err}");
            assert!(err.contains("E0921"), "{p}: {err}");
        }
    }
    std::fs::write(d.join("t.trace"), "0,ACT,0\n10,PRE,0\n").unwrap();
    let (code, _, err) = cnnc_in(
        &d,
        &[
            "dram",
            "t.trace",
            "--memspec",
            "/dev/zero",
            "--diagnostics",
            "json",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("\"code\":\"E0924\""), "{err}");
}

#[test]
fn an_arch_dram_that_names_no_memspec_is_found_by_check() {
    let d = scratch("dramname");
    std::fs::write(
        d.join("a.cnn"),
        "arch a : eyeriss { dram = \"/dev/stdin\"; }\narch b : eyeriss { dram = \"/dev/zero.json\"; }\nlayer l { ifmap = 5; filter = 3; }\n",
    )
    .unwrap();
    let (code, _, err) = cnnc_in(&d, &["check", "a.cnn", "--diagnostics", "short"]);
    assert_eq!(code, 1);
    assert!(err.contains("a.cnn:1:27: error[E0304]"), "{err}");
    // A .json path is looked up when it is used, and only as a regular file.
    let (code, _, err) = cnnc_in(&d, &["a.cnn", "--arch", "b", "--diagnostics", "short"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0304"), "{err}");
}

#[test]
fn non_finite_numbers_are_refused() {
    let d = scratch("numbers");
    std::fs::write(
        d.join("c.cnn"),
        format!("arch a : eyeriss {{ clock = 1e400 Hz; }}\n{LAYER}"),
    )
    .unwrap();
    let (code, _, err) = cnnc_in(&d, &["check", "c.cnn", "--diagnostics", "short"]);
    assert_eq!(code, 1);
    assert!(err.contains("c.cnn:1:28: error[E0016]"), "{err}");
    std::fs::write(
        d.join("e.cnn"),
        "arch a : eyeriss { energy.glb = 1e307 pJ; }\nlayer l { ifmap = 56; filter = 3; channels = 64; filters = 64; }\n",
    )
    .unwrap();
    let (code, out, err) = cnnc_in(
        &d,
        &[
            "e.cnn",
            "--arch",
            "a",
            "--format",
            "json",
            "--diagnostics",
            "short",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0211"), "{err}");
    // The refused figures are absent, not `null` numbers or `inf`.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["layer_stats"].is_null());
    assert!(v["layer_refused"].as_str().unwrap().contains("E0211"));
    assert!(!out.contains("inf,") && !out.contains("NaN"), "{out}");
}

#[test]
fn a_512_by_512_layer_runs() {
    let d = scratch("large");
    std::fs::write(
        d.join("s.cnn"),
        "layer seg { ifmap = 512; filter = 3; pad = 1; channels = 3; filters = 16; }\n",
    )
    .unwrap();
    let (code, out, err) = cnnc_in(&d, &["s.cnn"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified         true"), "{out}");
}

/// Issue 33, defect 11: one rule for what Grad-Flow does not map. In a
/// network run (and with `--pass all`) an ordinary layer's forward pass
/// runs row-stationary and says so, as a transposed layer's input gradient
/// does (E0090); only a forward pass asked for alone is refused (E0202).
#[test]
fn gflow_runs_row_stationary_what_it_does_not_map_in_a_network() {
    let d = scratch("gflow-rule");
    std::fs::write(
        d.join("n.cnn"),
        "network n {\n  layer a { ifmap = 5; filter = 3; }\n  layer b { ifmap = 6; filter = 3; }\n}\n",
    )
    .unwrap();
    let args = ["n.cnn", "--dataflow", "gflow", "--pass", "forward"];
    let (code, out, err) = cnnc_in(&d, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for l in v["layers"].as_array().unwrap() {
        assert_eq!(l["dataflow"], "rs", "{l}");
        assert!(
            l["gflow_fallback"].as_str().unwrap().contains("E0202"),
            "{l}"
        );
    }
    let (code, out, err) = cnnc_in(&d, &args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("run row-stationary (Grad-Flow does not map these passes):"),
        "{out}"
    );
    assert!(out.contains("n.a Forward: E0202"), "{out}");
    // One layer with --pass all: its forward pass runs row-stationary too.
    std::fs::write(d.join("l.cnn"), LAYER).unwrap();
    let (code, out, err) = cnnc_in(&d, &["l.cnn", "--dataflow", "gflow", "--pass", "all"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("grad-flow: this pass runs row-stationary (E0202)"),
        "{out}"
    );
    // The forward pass asked for alone is refused.
    let (code, _, err) = cnnc_in(&d, &["l.cnn", "--dataflow", "gflow"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0202"), "{err}");
}

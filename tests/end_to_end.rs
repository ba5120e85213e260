//! Every layer of every example, every pass, through the whole pipeline:
//! compiled, simulated and verified against the reference; and the command
//! line on a few of them.

use std::process::Command;

use cnnc::frontend::parse_and_check;
use cnnc::model::Arch;
use cnnc::options::{Dataflow, PassKind};
use cnnc::pipeline::{compile, simulate};

fn examples() -> Vec<(String, String)> {
    let dir = format!("{}/examples", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cnn"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_example_layer_and_pass_verifies() {
    let mut runs = 0;
    for (path, src) in examples() {
        let desc = parse_and_check(&src).unwrap_or_else(|d| panic!("{path}: {d:?}"));
        for l in desc.all_layers() {
            for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
                let m = compile(l, &Arch::eyeriss(), pass, Dataflow::Rs, 1, None)
                    .unwrap_or_else(|d| panic!("{path} {} {pass:?}: {d:?}", l.name));
                let o =
                    simulate(m, 1).unwrap_or_else(|d| panic!("{path} {} {pass:?}: {d:?}", l.name));
                assert!(
                    o.stats.verified,
                    "{path} {} {pass:?}: {:?}",
                    l.name, o.stats.mismatches
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 60, "only {runs} runs: examples missing?");
}

fn cnnc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn stats_json_has_the_normative_fields() {
    let (code, out, err) = cnnc(&["examples/conv4.cnn", "--pass", "igrad", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "layer",
        "arch",
        "pass",
        "dataflow",
        "gflow_group",
        "pe_set",
        "pass_stats",
        "pes",
    ] {
        assert!(v.get(k).is_some(), "missing {k} in {out}");
    }
    let p = &v["pass_stats"];
    for k in ["cycles", "busy_cycles", "macs", "zero_macs", "verified"] {
        assert!(p.get(k).is_some(), "missing pass_stats.{k}");
    }
    assert_eq!(v["pe_set"]["rows"], 3);
    assert_eq!(v["pe_set"]["cols"], 13);
    assert_eq!(p["cycles"], 179);
    assert_eq!(p["verified"], true);
}

#[test]
fn same_input_same_bytes() {
    let a = cnnc(&[
        "examples/nonsquare.cnn",
        "--pass",
        "fgrad",
        "--format",
        "json",
    ]);
    let b = cnnc(&[
        "examples/nonsquare.cnn",
        "--pass",
        "fgrad",
        "--format",
        "json",
    ]);
    assert_eq!(a, b);
    assert_eq!(a.0, 0);
}

#[test]
fn emit_ir_after_a_pass_and_unknown_pass() {
    let (code, out, _) = cnnc(&[
        "examples/tiny_s1.cnn",
        "--emit",
        "ir",
        "--after",
        "allocate",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("allocation:") && !out.contains("networks:"),
        "{out}"
    );
    let (code, _, err) = cnnc(&[
        "examples/tiny_s1.cnn",
        "--emit",
        "ir",
        "--after",
        "nosuch",
        "--diagnostics",
        "short",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("E0901"), "{err}");
}

#[test]
fn forward_with_gflow_is_refused_with_a_reason() {
    let (code, _, err) = cnnc(&[
        "examples/tiny_s1.cnn",
        "--dataflow",
        "gflow",
        "--diagnostics",
        "short",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("E0202"), "{err}");
}

#[test]
fn pe_stats_csv_has_a_row_per_pe() {
    let dir = std::env::temp_dir().join(format!("cnnc-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("pes.csv");
    let (code, _, err) = cnnc(&[
        "examples/tiny_s2.cnn",
        "--pass",
        "igrad",
        "--pe-stats",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 1 + 3 * 7);
    let _ = std::fs::remove_dir_all(&dir);
}

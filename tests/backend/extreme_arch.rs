//! Every arch key at 1 and at its largest accepted value (u64::MAX where
//! the checker has no bound, the named maximum where it has one), mixed at
//! random over a small layer, every pass and both dataflows: the run must
//! end in a report or in diagnostics, never a panic, a wrapped sum or an
//! unbounded allocation (issue 33: `pipeline.mul = 2^64 - 1` indexed out
//! of bounds and asked for 4 GB of pipeline stages).

use proptest::prelude::*;

use crate::common::run;

const MAX: &str = "18446744073709551615";

/// (key, its smallest value, its largest accepted value).
fn keys() -> Vec<(&'static str, String, String)> {
    let n = |k: &'static str| (k, "1".to_string(), MAX.to_string());
    let unit = |k: &'static str, u: &str| (k, format!("1 {u}"), format!("{MAX} {u}"));
    vec![
        ("array", "1".into(), format!("1 x {MAX}")),
        n("rf.ifmap"),
        n("rf.filter"),
        n("rf.psum"),
        unit("glb.bank", "B"),
        n("glb.banks"),
        n("glb.filter_banks"),
        unit("glb.width", "bit"),
        ("precision", "1 bit".into(), "64 bit".into()),
        unit("clock", "Hz"),
        ("pipeline.mul", "1".into(), "64".into()),
        ("pipeline.add", "1".into(), "64".into()),
        n("fifo.depth"),
        n("noc.ifmap"),
        n("noc.filter"),
        n("noc.ofmap"),
        n("noc.psum"),
        unit("dram.width", "bit"),
        unit("dram.clock", "Hz"),
    ]
}

/// Runs one mix; returns its exit status after checking it is a report
/// (0) or diagnostics (1).
fn one_run(picks: &[u8], pass: usize, gflow: bool, batch: u64) -> Result<i32, TestCaseError> {
    let mut body = String::new();
    for ((key, lo, hi), &p) in keys().iter().zip(picks) {
        match p {
            1 => body += &format!(" {key} = {lo};"),
            2 => body += &format!(" {key} = {hi};"),
            _ => {}
        }
    }
    let dir = std::env::temp_dir().join(format!("cnnc-extreme-arch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{:x}.cnn", {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (picks, pass, gflow, batch).hash(&mut h);
        h.finish()
    }));
    let text = format!(
        "arch ext : eyeriss {{{body} }}\n\
         layer l {{ ifmap = 6; filter = 3; channels = 2; filters = 2; batch = {batch}; }}\n"
    );
    std::fs::write(&file, &text).unwrap();
    let f = file.to_str().unwrap();
    let pass = ["forward", "igrad", "fgrad"][pass];
    let dataflow = if gflow && pass != "forward" {
        "gflow"
    } else {
        "rs"
    };
    let (status, _, err) = run(&[f, "--arch", "ext", "--pass", pass, "--dataflow", dataflow]);
    let _ = std::fs::remove_file(&file);
    prop_assert!(
        status == 0 || (status == 1 && err.contains("error[E")),
        "{text} --pass {pass} --dataflow {dataflow}: status {status}: {err}"
    );
    prop_assert!(!err.contains("E0900"), "{text}: an internal error: {err}");
    // The file itself must be accepted: a diagnostic about it would make
    // every run pass without running anything.
    prop_assert!(!err.contains("E0005"), "{text}: {err}");
    Ok(status)
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 24, ..ProptestConfig::default() }))]

    #[test]
    fn extreme_arch_values_give_a_result_or_a_diagnostic(
        picks in proptest::collection::vec(0u8..3, 19),
        pass in 0usize..3,
        gflow: bool,
        // A batch of 10^9 with a GLB of 2^64 bytes: its own test below.
        batch in prop_oneof![Just(1u64), Just(3u64)],
    ) {
        one_run(&picks, pass, gflow, batch)?;
    }
}

/// Each key alone at each end, on every pass and dataflow: the corners a
/// random mix may miss.
#[test]
fn each_key_alone_at_each_end() {
    let n = keys().len();
    // The defaults run, so the runs below reach the back end.
    for pass in 0..3 {
        assert_eq!(one_run(&vec![0; n], pass, true, 2).unwrap(), 0);
    }
    for i in 0..n {
        for end in [1u8, 2] {
            let mut picks = vec![0u8; n];
            picks[i] = end;
            for pass in 0..3 {
                for gflow in [false, true] {
                    one_run(&picks, pass, gflow, 2).unwrap();
                }
            }
        }
    }
}

/// Issue 33: with a GLB that holds everything, the whole-layer
/// row-stationary pass listed the deliveries of all 10^9 images at once
/// and aborted on the allocation (`rs_pass::items`); the items are now
/// counted first and such a pass is declined (`MAX_DELIVERY_ITEMS`).
#[test]
fn a_huge_glb_with_a_huge_batch_is_bounded() {
    let n = keys().len();
    let mut picks = vec![0u8; n];
    picks[4] = 2; // glb.bank = 2^64 - 1 B
    one_run(&picks, 0, false, 1_000_000_000).unwrap();
}

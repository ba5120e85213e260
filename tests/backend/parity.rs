//! Parity with the original SASiML: `pe_set`, `cycles`, `busy_cycles`, `macs`
//! and `zero_macs` of one 2-D convolution with the built-in `eyeriss` arch,
//! against `../shared/reference/sasiml-parity.csv` (copied below; see
//! docs/validation.md for the rows that differ on purpose).

use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::simulate;

fn layer(name: &str) -> Layer {
    let (i, s, c, m) = match name {
        "tiny_s1" => (5, 1, 1, 1),
        "tiny_s2" => (7, 2, 1, 1),
        "alexnet_conv4" => (13, 2, 256, 384),
        _ => unreachable!(),
    };
    Layer::from_sizes(
        name,
        Hw::square(i),
        c,
        Hw::square(3),
        m,
        Hw::square(s),
        Hw::square(0),
        1,
        1,
    )
    .unwrap()
}

/// layer, pass, dataflow, pe_h, pe_w, cycles, busy, macs, zero_macs
type Row = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    u32,
    u64,
    u64,
    u64,
    u64,
);

const ROWS: &[Row] = &[
    ("tiny_s1", "forward", "conv", 3, 3, 21, 11, 81, 0),
    ("tiny_s1", "igrad", "conv", 3, 5, 35, 19, 225, 144),
    ("tiny_s1", "igrad", "gflow", 3, 3, 32, 12, 81, 0),
    ("tiny_s1", "fgrad", "conv", 3, 3, 21, 11, 81, 0),
    ("tiny_s1", "fgrad", "gflow", 3, 3, 23, 9, 81, 0),
    ("tiny_s2", "forward", "conv", 3, 3, 21, 11, 81, 0),
    ("tiny_s2", "igrad", "conv", 3, 7, 59, 27, 441, 360),
    ("tiny_s2", "igrad", "gflow", 3, 3, 55, 11, 81, 0),
    ("tiny_s2", "fgrad", "conv", 5, 3, 29, 17, 225, 144),
    ("tiny_s2", "fgrad", "gflow", 3, 3, 23, 9, 81, 0),
    ("alexnet_conv4", "forward", "conv", 3, 6, 46, 23, 324, 0),
    ("alexnet_conv4", "igrad", "conv", 3, 13, 179, 51, 1521, 1197),
    ("alexnet_conv4", "igrad", "gflow", 6, 6, 175, 11, 324, 0),
    ("alexnet_conv4", "fgrad", "conv", 11, 3, 53, 35, 1089, 765),
    ("alexnet_conv4", "fgrad", "gflow", 3, 3, 50, 36, 324, 0),
];

fn check(df: &str) {
    let mut failures = Vec::new();
    for &(name, pass, dataflow, ph, pw, cycles, busy, macs, zero) in
        ROWS.iter().filter(|r| r.2 == df)
    {
        let pass = match pass {
            "forward" => PassKind::Forward,
            "igrad" => PassKind::Igrad,
            _ => PassKind::Fgrad,
        };
        let dataflow = if dataflow == "conv" {
            Dataflow::Rs
        } else {
            Dataflow::Gflow
        };
        let m = compile(
            &layer(name),
            &Arch::eyeriss(),
            pass,
            dataflow,
            &PassOptions::default(),
            None,
        )
        .unwrap();
        let set = m.set.as_ref().unwrap();
        let got_set = (set.rows, set.cols);
        let out = simulate(m, 0).unwrap();
        let s = &out.stats;
        let got = (got_set, s.cycles, s.busy_cycles, s.macs, s.zero_macs);
        let want = ((ph, pw), cycles, busy, macs, zero);
        assert!(
            s.verified,
            "{name} {pass:?} {dataflow:?}: not verified: {:?}",
            s.mismatches
        );
        if got != want {
            failures.push(format!(
                "{name} {pass:?} {dataflow:?}: got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn row_stationary_matches_the_original() {
    check("conv");
}

#[test]
fn grad_flow_matches_the_original() {
    check("gflow");
}

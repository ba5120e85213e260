//! Grad-Flow (EcoFlow) schedules: every grouping in range, any shape, is
//! verified numerically by the simulator against the reference gradients;
//! groupings out of range and oversized schedules are refused with a
//! diagnostic.

use cnnc::bytecode::verify_program;
use cnnc::ir::{LogicalSet, OutKind};
use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::passes::{gflow_fgrad_set, gflow_igrad_set};
use cnnc::sim::simulate;
use proptest::prelude::*;

fn layer(i: (u64, u64), k: (u64, u64), s: (u64, u64), p: (u64, u64)) -> Option<Layer> {
    Layer::from_sizes(
        "t",
        Hw::new(i.0, i.1),
        1,
        Hw::new(k.0, k.1),
        1,
        Hw::new(s.0, s.1),
        Hw::new(p.0, p.1),
        1,
        1,
    )
}

/// Compiles, checks the bytecode, simulates; returns (verified, macs).
fn run(l: &Layer, pass: PassKind, g: i64) -> Result<(bool, u64), String> {
    let arch = Arch::eyeriss();
    let m = crate::common::compile_gflow(l, &arch, pass, g).map_err(|d| format!("{d:?}"))?;
    let program = m.program.as_ref().ok_or("no program")?;
    verify_program(program, arch.fifo_depth, arch.noc_ofmap).map_err(|e| e.to_string())?;
    let out = simulate(m, 7).map_err(|d| format!("{d:?}"))?;
    if !out.stats.verified {
        return Err(format!("mismatches: {:?}", out.stats.mismatches));
    }
    Ok((out.stats.verified, out.stats.macs))
}

fn macs(l: &Layer) -> u64 {
    l.filter.h * l.filter.w * l.ofmap.h * l.ofmap.w
}

fn igrad_range(l: &Layer) -> Vec<i64> {
    (1..=l.ofmap.h as i64).collect()
}

fn fgrad_range(l: &Layer) -> Vec<i64> {
    let n = (l.ofmap.h * l.ofmap.w) as i64;
    (-n..=-1).chain(1..=l.filter.h as i64).collect()
}

fn check_all(l: &Layer) {
    for g in igrad_range(l) {
        assert_eq!(
            run(l, PassKind::Igrad, g),
            Ok((true, macs(l))),
            "igrad g={g} {l:?}"
        );
    }
    for g in fgrad_range(l) {
        assert_eq!(
            run(l, PassKind::Fgrad, g),
            Ok((true, macs(l))),
            "fgrad g={g} {l:?}"
        );
    }
}

#[test]
fn square_layers_every_grouping() {
    // The original's wrong cases: igrad (6, 3, 1, g 2) and (7, 3, 1, g 2, 3);
    // fgrad every g outside {1, -1}, e.g. K = 5, g = 3 crashed there.
    for (i, k, s) in [
        (5, 3, 1),
        (6, 3, 1),
        (7, 3, 1),
        (7, 3, 2),
        (9, 5, 1),
        (13, 3, 2),
        (8, 2, 3),
    ] {
        let l = layer((i, i), (k, k), (s, s), (0, 0));
        if let Some(l) = l {
            check_all(&l);
        }
    }
}

#[test]
fn non_square_padded_layers() {
    let cases = [
        ((7, 5), (3, 2), (2, 1), (1, 0)),
        ((5, 9), (2, 4), (1, 1), (0, 2)),
        ((6, 5), (4, 1), (1, 3), (1, 1)),
        ((9, 3), (1, 3), (2, 2), (0, 1)),
    ];
    for (i, k, s, p) in cases {
        let l = layer(i, k, s, p).expect("valid layer");
        check_all(&l);
    }
}

#[test]
fn filter_smaller_than_stride_leaves_zero_gradients_unwritten() {
    // K < s: gradient elements between the windows get no product.
    let l = layer((8, 8), (2, 2), (3, 3), (0, 0)).expect("valid layer");
    check_all(&l);
}

fn set(l: &Layer, pass: PassKind, g: i64) -> LogicalSet {
    let arch = Arch::eyeriss();
    let r = match pass {
        PassKind::Igrad => gflow_igrad_set(l, g, arch.pipeline_mul, arch.pipeline_add),
        _ => gflow_fgrad_set(l, g, arch.pipeline_mul, arch.pipeline_add),
    };
    r.expect("set")
}

#[test]
fn shapes_of_the_sets() {
    let l = layer((13, 13), (3, 3), (2, 2), (0, 0)).expect("valid layer");
    let s = set(&l, PassKind::Igrad, 4);
    // ceil(6 / 4) rows, not the original's 6/4 + 6 mod 4 = 3.
    assert_eq!((s.rows, s.cols, s.out_kind), (2, 6, OutKind::InputGrad));
    assert_eq!(s.out_shape, Hw::new(13, 13));
    assert_eq!(s.analytic_macs, 324);
    let s = set(&l, PassKind::Fgrad, 2);
    assert_eq!((s.rows, s.cols, s.out_kind), (2, 3, OutKind::FilterGrad));
    let s = set(&l, PassKind::Fgrad, -4);
    assert_eq!((s.rows, s.cols, s.out_shape), (12, 3, Hw::new(3, 3)));
}

#[test]
fn igrad_worked_example_of_the_original() {
    // compiler.md §4.9: PE(0,0) of I 5, K 3, s 1 reads at 1 2 4 6 7 8 9 10 12
    // and writes g0-0 g1-0 g2-0 g0-3 g1-3 g2-3 at 4 6 8 12 14 16.
    let l = layer((5, 5), (3, 3), (1, 1), (0, 0)).expect("valid layer");
    let s = set(&l, PassKind::Igrad, 1);
    let pe = s.pe(0, 0);
    assert_eq!(pe.words.len(), 17);
    let reads: Vec<usize> = (0..pe.words.len())
        .filter(|&t| pe.words[t].is_mac())
        .collect();
    assert_eq!(reads, [1, 2, 4, 6, 7, 8, 9, 10, 12]);
    let outs: Vec<(usize, u32)> = pe
        .words
        .iter()
        .enumerate()
        .filter_map(|(t, w)| w.out.get().map(|o| (t, o)))
        .collect();
    assert_eq!(outs, [(4, 0), (6, 5), (8, 10), (12, 3), (14, 8), (16, 13)]);
    let takes: Vec<usize> = (0..pe.words.len())
        .filter(|&t| pe.words[t].take_in)
        .collect();
    assert_eq!(takes, [5, 7, 13, 15]);
}

#[test]
fn fgrad_worked_example_of_the_original() {
    // compiler.md §5.7: reads at 1..=9, push at 11, output at 12.
    let l = layer((5, 5), (3, 3), (1, 1), (0, 0)).expect("valid layer");
    let s = set(&l, PassKind::Fgrad, 1);
    for pe in &s.pes {
        assert_eq!(pe.words.len(), 13);
        let reads: Vec<usize> = (0..13).filter(|&t| pe.words[t].is_mac()).collect();
        assert_eq!(reads, (1..=9).collect::<Vec<_>>());
        assert!(pe.words[11].push && pe.words[12].out.is_some());
    }
}

#[test]
fn padding_is_counted_as_zero_macs() {
    let l = layer((4, 4), (3, 3), (1, 1), (1, 1)).expect("valid layer");
    let m = compile(
        &l,
        &Arch::eyeriss(),
        PassKind::Fgrad,
        Dataflow::Gflow,
        &PassOptions::default(),
        None,
    )
    .expect("compile");
    let out = simulate(m, 3).expect("simulate");
    assert!(out.stats.verified);
    assert_eq!(out.stats.macs, 9 * 16);
    // Border taps of the 3x3 filter over the 6x6 padded input: 144 - 6*... > 0.
    assert!(out.stats.zero_macs > 0);
}

#[test]
fn out_of_range_groupings_are_refused() {
    let l = layer((7, 7), (3, 3), (2, 2), (0, 0)).expect("valid layer");
    let arch = Arch::eyeriss();
    for (pass, g) in [
        (PassKind::Igrad, 0),
        (PassKind::Igrad, -1),
        (PassKind::Igrad, 4),
        (PassKind::Fgrad, 0),
        (PassKind::Fgrad, 4),
        (PassKind::Fgrad, -10),
        (PassKind::Fgrad, i64::MIN),
        (PassKind::Igrad, i64::MAX),
    ] {
        let d = crate::common::compile_gflow(&l, &arch, pass, g).expect_err("refused");
        assert_eq!(d.code, "E0203", "{pass:?} g={g}");
        assert!(d.help.is_some());
    }
}

#[test]
fn oversized_schedules_are_refused() {
    let l = Layer::from_sizes(
        "big",
        Hw::new(4096, 4096),
        1,
        Hw::new(5, 5),
        1,
        Hw::new(1, 1),
        Hw::new(2, 2),
        1,
        1,
    )
    .expect("valid layer");
    let arch = Arch::eyeriss();
    for pass in [PassKind::Igrad, PassKind::Fgrad] {
        let d = compile(
            &l,
            &arch,
            pass,
            Dataflow::Gflow,
            &PassOptions::default(),
            None,
        )
        .expect_err("refused");
        assert_eq!(d.code, "E0204", "{pass:?}");
        assert!(d.message.contains("limit"));
    }
}

/// Random shapes up to 9 x 9 inputs and 4 x 4 filters; the input is grown
/// by less than one stride so the stride tiles it more often than not.
fn arb_layer() -> impl Strategy<Value = Option<Layer>> {
    let axis = (1u64..=9, 1u64..=4, 1u64..=3, 0u64..=2).prop_map(|(i, k, s, p)| {
        let padded = i + 2 * p;
        let grow = if padded >= k {
            (s - (padded - k) % s) % s
        } else {
            0
        };
        (i + grow, k, s, p)
    });
    (axis.clone(), axis).prop_map(|(a, b)| layer((a.0, b.0), (a.1, b.1), (a.2, b.2), (a.3, b.3)))
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig::with_cases(64)))]

    #[test]
    fn every_grouping_is_exact(l in arb_layer()) {
        let Some(l) = l else { return Ok(()) };
        for g in igrad_range(&l) {
            prop_assert_eq!(run(&l, PassKind::Igrad, g), Ok((true, macs(&l))), "igrad g={} {:?}", g, l);
        }
        for g in fgrad_range(&l) {
            prop_assert_eq!(run(&l, PassKind::Fgrad, g), Ok((true, macs(&l))), "fgrad g={} {:?}", g, l);
        }
    }
}

#[test]
fn other_multiplier_depths_and_bandwidths() {
    // The schedules derive every cycle from `pipeline.mul`; the ofmap
    // bandwidth only changes when outputs reach the global buffer.
    let layers = [
        layer((7, 6), (3, 2), (1, 2), (1, 0)),
        layer((9, 9), (4, 4), (1, 1), (0, 0)),
        layer((8, 8), (2, 3), (3, 1), (0, 1)),
    ];
    for l in layers.iter().flatten() {
        for (mul, bw) in [(0, 1), (1, 2), (5, 1), (3, 4)] {
            let mut arch = Arch::eyeriss();
            arch.pipeline_mul = mul;
            arch.noc_ofmap = bw;
            let gs = igrad_range(l).into_iter().map(|g| (PassKind::Igrad, g));
            for (pass, g) in gs.chain(fgrad_range(l).into_iter().map(|g| (PassKind::Fgrad, g))) {
                let m = crate::common::compile_gflow(l, &arch, pass, g).expect("compile");
                let p = m.program.as_ref().expect("program");
                assert_eq!(verify_program(p, arch.fifo_depth, arch.noc_ofmap), Ok(()));
                let out = simulate(m, 11).expect("simulate");
                assert!(out.stats.verified, "{pass:?} g={g} mul={mul} {l:?}");
                assert_eq!(out.stats.macs, macs(l));
            }
        }
    }
}

#[test]
#[ignore]
fn explore_large() {
    let cases = [
        ("alexnet1", 227, 11, 4, 0),
        ("alexnet2", 27, 5, 1, 2),
        ("resnet", 56, 3, 1, 1),
        ("vgg", 224, 3, 1, 1),
        ("mob", 112, 3, 2, 1),
    ];
    for (name, i, k, s, p) in cases {
        let l = layer((i, i), (k, k), (s, s), (p, p)).expect("valid");
        for g in [1, 2, 3, 5, 8, l.ofmap.h as i64] {
            for pass in [PassKind::Igrad, PassKind::Fgrad] {
                let arch = Arch::eyeriss();
                let r =
                    crate::common::compile_gflow(&l, &arch, pass, g).and_then(|m| simulate(m, 1));
                match r {
                    Ok(o) => println!(
                        "{name} {pass:?} g={g}: verified {} cycles {} busy {} macs {}",
                        o.stats.verified, o.stats.cycles, o.stats.busy_cycles, o.stats.macs
                    ),
                    Err(d) => println!("{name} {pass:?} g={g}: {} {}", d.code, d.message),
                }
            }
        }
    }
}

//! `gflow-fit`: Grad-Flow sets fitted to the arch's scratchpads stay
//! within them, do the same products and compute every output right.

use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, refit, PassOptions};
use cnnc::sim::simulate;

fn layer(ifmap: u64, filter: u64, stride: u64, pad: u64) -> Layer {
    Layer::from_sizes(
        "t",
        Hw::square(ifmap),
        1,
        Hw::square(filter),
        1,
        Hw::square(stride),
        Hw::square(pad),
        1,
        1,
    )
    .unwrap()
}

/// The fitted set stays within the arch's scratchpads, does the same
/// products and computes every output right.
fn fits_and_verifies(l: &Layer, pass: PassKind, g: i64) -> cnnc::ir::Module {
    let arch = Arch::eyeriss();
    let m = crate::common::compile_gflow(l, &arch, pass, g).unwrap();
    let logical = simulate(m.clone(), 3).unwrap();
    let f = refit(&m).unwrap().expect("the set needs fitting");
    for pe in &f.set.as_ref().unwrap().pes {
        assert!(pe.ifmap_entries() as u64 <= arch.rf_ifmap);
        assert!(pe.filter_entries() as u64 <= arch.rf_filter);
        assert!(pe.psum_entries as u64 <= arch.rf_psum);
    }
    let fitted = simulate(f.clone(), 3).unwrap();
    assert!(fitted.stats.verified, "{:?}", fitted.stats.mismatches);
    assert_eq!(fitted.stats.macs, logical.stats.macs);
    assert_eq!(fitted.stats.zero_macs, logical.stats.zero_macs);
    f
}

#[test]
fn fgrad_streams_through_rings_and_verifies() {
    // 7 x 7 error terms per filter-gradient element: 49 > rf.ifmap = 12.
    for g in [1, 2, -2, -3] {
        let f = fits_and_verifies(&layer(9, 3, 1, 0), PassKind::Fgrad, g);
        assert!(!f.set.unwrap().deliveries.is_empty());
    }
    // Strided and padded.
    fits_and_verifies(&layer(16, 3, 2, 1), PassKind::Fgrad, 1);
}

#[test]
fn igrad_psums_are_repacked_and_verify() {
    // A 7 x 7 stride-2 filter gives every PE more gradient elements than
    // rf.psum = 24 under the original's one-slot-each allocation.
    let l = layer(40, 7, 2, 3);
    let arch = Arch::eyeriss();
    let m = compile(
        &l,
        &arch,
        PassKind::Igrad,
        Dataflow::Gflow,
        &PassOptions::default(),
        None,
    )
    .unwrap();
    let before = m
        .set
        .as_ref()
        .unwrap()
        .pes
        .iter()
        .map(|p| p.psum_entries)
        .max();
    assert!(before.unwrap() as u64 > arch.rf_psum, "{before:?}");
    fits_and_verifies(&l, PassKind::Igrad, 1);
}

#[test]
fn a_set_that_fits_is_left_alone() {
    let l = layer(5, 3, 1, 0);
    let m = compile(
        &l,
        &Arch::eyeriss(),
        PassKind::Fgrad,
        Dataflow::Gflow,
        &PassOptions::default(),
        None,
    )
    .unwrap();
    assert!(refit(&m).unwrap().is_none());
}

#[test]
fn a_large_strided_filter_reads_its_columns_by_residue() {
    // AlexNet CONV1's shape in small: 11 x 11 taps at stride 4 keep 44
    // gradient elements per PE live in column-major order, over rf.psum.
    let f = fits_and_verifies(&layer(35, 11, 4, 0), PassKind::Igrad, 1);
    let rules = &f.set.unwrap().placement.rules;
    assert!(rules.iter().any(|r| r.contains("by residue")), "{rules:?}");
}

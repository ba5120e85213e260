//! The chip's mapper: psums that may not leave the chip before they are
//! final (`psum_spill = off`) and a search priced by the arch's own
//! relative costs (`search.*`).

use cnnc::cost::layer::mapping::objective_energy;
use cnnc::cost::layer::traffic::Raw;
use cnnc::cost::layer::{layer_stats, Mapping};
use cnnc::diag::IntoDiagnostic;
use cnnc::model::{Arch, Hw, Layer, MappingHint, SearchPrices};
use cnnc::options::{Dataflow, Objective, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::{simulate, PassOutcome};

fn layer(hint: MappingHint) -> Layer {
    // 56 x 56 outputs, 32 channels: every filter's psums of a strip go
    // round the buffer 31 times.
    let mut l = Layer::from_sizes(
        "c",
        Hw::square(56),
        32,
        Hw::square(3),
        16,
        Hw::square(1),
        Hw::square(1),
        1,
        1,
    )
    .unwrap();
    l.mapping = Some(hint);
    l
}

fn run(l: &Layer, a: &Arch) -> PassOutcome {
    let m = compile(
        l,
        a,
        PassKind::Forward,
        Dataflow::Rs,
        &PassOptions::default(),
        None,
    )
    .unwrap();
    simulate(m, 1).unwrap()
}

/// One psum bank (2048 psums) for 4 filters of 14 x 56 outputs.
fn spilling() -> MappingHint {
    MappingHint {
        n: Some(1),
        p: Some(4),
        q: Some(1),
        r: Some(1),
        t: Some(1),
        e: Some(14),
        ifmap_banks: Some(24),
    }
}

#[test]
fn psum_spill_off_refuses_a_blocking_that_spills() {
    let mut a = Arch::eyeriss_chip();
    a.psum_spill = true;
    let s = layer_stats(&run(&layer(spilling()), &a), Objective::Energy).unwrap();
    assert!(s.psum_spill_bytes > 0, "the hand-fixed blocking spills");
    assert_eq!(s.traffic.dram.psum.writes, s.psum_spill_elements);

    a.psum_spill = false;
    let d = layer_stats(&run(&layer(spilling()), &a), Objective::Energy)
        .unwrap_err()
        .into_diagnostic();
    assert_eq!(d.code, "E0302");
    assert!(d.message.contains("psum_spill = off"), "{}", d.message);
}

#[test]
fn psum_spill_off_searches_only_blockings_that_keep_psums_on_chip() {
    // The same bank split, the rest searched: p x t must fit one bank.
    let hint = MappingHint {
        ifmap_banks: Some(24),
        ..MappingHint::default()
    };
    let a = Arch::eyeriss_chip();
    assert!(!a.psum_spill);
    let s = layer_stats(&run(&layer(hint), &a), Objective::Energy).unwrap();
    assert_eq!(s.psum_spill_bytes, 0);
    assert_eq!(s.traffic.dram.psum.reads + s.traffic.dram.psum.writes, 0);
    let Mapping { p, t, .. } = s.mapping;
    assert!(p * t * 14 * 56 <= 2048 || s.mapping.e < 14, "{}", s.mapping);
}

#[test]
fn search_prices_weigh_each_level_per_element_access() {
    let mut raw = Raw::default();
    raw.rf[0] = [10, 5];
    raw.noc[1] = [3, 4];
    raw.glb[2] = [2, 2];
    raw.dram[3] = [0, 1];
    raw.macs = 100;
    raw.zero_macs = 40;
    let mut a = Arch::eyeriss_chip();
    a.zero_gating = true;
    a.search_prices = Some(SearchPrices::ISCA2016);
    // RF 15 x 1, NoC 7 x 2, GLB 4 x 6, DRAM 1 x 200, 60 charged MACs x 1.
    assert_eq!(
        objective_energy(&raw, &a, -1.0),
        15.0 + 14.0 + 24.0 + 200.0 + 60.0
    );
    a.search_prices = None;
    assert_eq!(objective_energy(&raw, &a, -1.0), -1.0);
}

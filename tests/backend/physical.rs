//! Physical row-stationary passes: a strip of the set on the arch's array,
//! filter and input rows streamed over the networks into scratchpads of the
//! arch's sizes, checked value by value against the reference.

use cnnc::bytecode::{decode, encode, verify_program};
use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::PassKind;
use cnnc::passes::{compile_physical, PassOptions};
use cnnc::sim::simulate;

fn layer(i: (u64, u64), k: (u64, u64), s: (u64, u64), p: (u64, u64)) -> Layer {
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
    .unwrap()
}

#[test]
fn alexnet_conv3_forward_streams_and_verifies() {
    let l = layer((13, 13), (3, 3), (1, 1), (1, 1));
    let arch = Arch::eyeriss();
    let m = compile_physical(&l, &arch, PassKind::Forward).unwrap();
    let p = m.program.clone().unwrap();
    assert_eq!(verify_program(&p, arch.fifo_depth, arch.noc_ofmap), Ok(()));
    assert_eq!(decode(&encode(&p)), Ok(p.clone()));
    let o = simulate(m, 5).unwrap();
    assert!(o.stats.verified, "{:?}", o.stats.mismatches);
    // 13 output rows fit the 14 columns; 3 x 3 x 13 x 13 MACs.
    assert_eq!(o.stats.macs, 3 * 3 * 13 * 13);
    assert!(o.run.ifmap_sends > 0 && o.run.filter_sends > 0);
}

use cnnc::options::Dataflow;
use proptest::prelude::*;

use crate::common;

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 96, ..ProptestConfig::default() }))]
    /// Any small layer, any pass, on arrays, scratchpads and networks of
    /// random sizes: the physical pass verifies, or is refused with E0207
    /// (or E0206 for a queue), never a simulator error.
    #[test]
    fn physical_passes_verify_or_are_refused(
        l in common::small_layer(12),
        rows in 1u64..6, cols in 1u64..8, rf_ifmap in 1u64..16,
        noc_ifmap in 1u64..4, noc_filter in 1u64..3, mul in 1u64..4, add in 1u64..3, seed in 0u64..50,
    ) {
        let Some(l) = l else { return Ok(()) };
        let mut arch = Arch::eyeriss();
        arch.array = Hw::new(rows, cols);
        arch.rf_ifmap = rf_ifmap;
        arch.noc_ifmap = noc_ifmap;
        arch.noc_filter = noc_filter;
        arch.pipeline_mul = mul;
        arch.pipeline_add = add;
        for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
            match compile_physical(&l, &arch, pass) {
                Ok(m) => {
                    let p = m.program.clone().unwrap();
                    prop_assert_eq!(verify_program(&p, arch.fifo_depth, arch.noc_ofmap), Ok(()));
                    prop_assert_eq!(decode(&encode(&p)), Ok(p));
                    let set = m.set.clone().unwrap();
                    // The delivery runs expand to exactly the scheduled deliveries.
                    let mut want = set.deliveries.clone();
                    let mut got = m.program.as_ref().unwrap().expand_deliveries(1 << 20).unwrap().to_vec();
                    let key = |d: &cnnc::ir::Delivery| (d.cycle, d.net as u8, d.local, d.src, d.targets.clone());
                    want.sort_by_key(key);
                    got.sort_by_key(key);
                    prop_assert_eq!(got, want);
                    let o = simulate(m, seed).unwrap();
                    prop_assert!(o.stats.verified, "{:?} {:?}: {:?}", l, pass, o.stats.mismatches);
                    prop_assert!(set.cols as u64 <= cols && set.rows as u64 <= rows);
                    prop_assert!(set.pes.iter().all(|p| p.ifmap_entries() as u64 <= rf_ifmap));
                }
                Err(d) => prop_assert!(d.code == "E0207" || d.code == "E0206", "{:?}", d),
            }
        }
        // The per-pass model of the same layer is unaffected.
        prop_assert!(cnnc::passes::compile(&l, &arch, PassKind::Forward, Dataflow::Rs, &PassOptions::default(), None).is_ok());
    }
}

#[test]
#[ignore]
fn sizes() {
    let src = std::fs::read_to_string(format!(
        "{}/examples/alexnet.cnn",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let desc = cnnc::frontend::parse_and_check(&src).unwrap();
    for l in desc.all_layers() {
        for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
            if let Ok(m) = compile_physical(l, &Arch::eyeriss(), pass) {
                let p = m.program.as_ref().unwrap();
                println!(
                    "{} {:?}: {} deliveries, {} bytes",
                    l.name,
                    pass,
                    p.deliveries.len(),
                    p.encoded_len()
                );
            }
        }
    }
}

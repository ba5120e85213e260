//! Whole layers simulated on the physical array (`cost::layer::simulate_plan`: the plan, compiled and run by `sim::simulate_layer`):
//! on random small layers, blockings and arrays, every processing pass of
//! the layer runs with the layer's values, psums carried from pass to pass,
//! and every output equals the ndarray reference; the default mode (each
//! distinct pass once) gives exactly the full mode's cycles and counts.

use cnnc::cost::layer::simulate_plan;
use cnnc::ir::{Blocking, Convs};
use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::{simulate, LayerSimulation, NotSimulated};

use crate::common::Rng;

/// What must not differ between the two modes.
fn figures(s: &LayerSimulation) -> Vec<u64> {
    vec![
        s.cycles,
        s.start_cycles,
        s.stretch_cycles,
        s.drain_cycles,
        s.processing_passes,
        s.distinct_passes,
        s.active_pes,
        s.macs,
        s.zero_macs,
        s.glb_ifmap_reads,
        s.glb_filter_reads,
        s.glb_psum_reads,
        s.glb_psum_writes,
        s.glb_ofmap_writes,
        s.ifmap_arrivals,
        s.filter_arrivals,
        s.local_fills,
        s.rf.ifmap_reads,
        s.rf.ifmap_writes,
        s.rf.filter_reads,
        s.rf.filter_writes,
        s.rf.psum_reads,
        s.rf.psum_writes,
        s.adds,
        s.psum_hops,
    ]
}

#[test]
fn random_layers_verify_and_the_modes_agree() {
    let mut rng = Rng(0x9e11);
    let mut ran = 0;
    for case in 0..120 {
        let k = Hw::new(rng.range(1, 4), rng.range(1, 4));
        let i = Hw::new(rng.range(k.h, 9), rng.range(k.w, 9));
        let stride = Hw::new(rng.range(1, 3), rng.range(1, 3));
        let pad = Hw::new(rng.range(0, 2), rng.range(0, 2));
        let groups = rng.range(1, 3);
        let channels = groups * rng.range(1, 4);
        let filters = groups * rng.range(1, 4);
        let Some(l) = Layer::from_sizes(
            "t",
            i,
            channels,
            k,
            filters,
            stride,
            pad,
            rng.range(1, 4),
            groups,
        ) else {
            continue;
        };
        let mut arch = Arch::eyeriss_chip();
        arch.array = Hw::new(rng.range(2, 9), rng.range(2, 9));
        arch.rf_ifmap = rng.range(4, 40);
        arch.rf_filter = rng.range(8, 300);
        arch.rf_psum = rng.range(1, 12);
        arch.noc_ifmap = rng.range(1, 4);
        arch.noc_filter = rng.range(1, 4);
        arch.noc_psum = rng.range(1, 4);
        arch.noc_ofmap = rng.range(1, 4);
        arch.fifo_depth = rng.range(2, 8);
        arch.pipeline_mul = rng.range(1, 3);
        let pass = [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad][case % 3];
        let Ok(m) = compile(&l, &arch, pass, Dataflow::Rs, &PassOptions::default(), None) else {
            continue;
        };
        let d = Convs::of(&l, pass);
        let set = m.set.as_ref().unwrap();
        let stack = rng.range(0, 2) == 1;
        let b = Blocking {
            n: rng.range(1, 3),
            p: rng.range(1, 3),
            q: rng.range(1, 3),
            r: if stack { rng.range(1, 3) } else { 1 },
            t: rng.range(1, 3),
            strip: rng.range(1, set.cols as u64),
            piece_rows: rng.range(1, set.rows as u64),
            // Rows cut into chunks of columns, as the scratchpad requires
            // for long rows, and where it does not.
            chunks: rng.range(1, k.w + 1),
            stack,
        };
        let full = match simulate_plan(&m, d, b, true, 7) {
            Ok(s) => s,
            // A blocking the arch cannot hold is refused, not simulated.
            Err(NotSimulated::NoFit { .. }) => continue,
            Err(e) => panic!("case {case}: {l:?} {pass:?} {b:?}: {e}"),
        };
        assert!(
            full.verified,
            "case {case}: {l:?} {pass:?} {b:?}: {:?}",
            full.mismatches
        );
        assert_eq!(full.mode, "full");
        let sample = simulate_plan(&m, d, b, false, 7).unwrap();
        assert!(sample.verified, "case {case}: {:?}", sample.mismatches);
        assert_eq!(
            figures(&sample),
            figures(&full),
            "case {case}: {l:?} {pass:?} {b:?}"
        );
        // The running order and the global-buffer accesses the memory
        // timeline reads.
        assert_eq!(sample.steps, full.steps, "case {case}");
        assert_eq!(sample.bank_traces, full.bank_traces, "case {case}");
        // Per-PE necessary MACs: the same in both modes, on the physical
        // array, adding up to the layer's.
        assert_eq!(
            sample.pe_necessary_macs, full.pe_necessary_macs,
            "case {case}"
        );
        let grid = &full.pe_necessary_macs;
        assert_eq!(grid.len() as u64, arch.array.h, "case {case}");
        assert!(grid.iter().all(|r| r.len() as u64 == arch.array.w));
        let per_pe: u64 = grid.iter().flatten().sum();
        assert_eq!(per_pe, full.macs - full.zero_macs, "case {case}");
        // Every necessary product of the layer, once.
        let o = simulate(m.clone(), 7).unwrap();
        let necessary = o.run.macs() - o.run.zero_macs();
        assert_eq!(full.macs - full.zero_macs, necessary * d.total() as u64);
        ran += 1;
    }
    assert!(ran >= 40, "only {ran} cases simulated");
}

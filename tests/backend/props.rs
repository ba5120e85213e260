//! The whole backend (compile, simulate, whole-layer model, physical pass,
//! reports) on random small layers and random archs: every request ends in
//! a report or diagnostics, never a panic, and every report that has
//! figures has verified outputs.

use cnnc::backend::{run, Request, Target};
use cnnc::model::{Arch, Hw, MappingHint};
use cnnc::options::{Dataflow, Format, PassKind};
use proptest::prelude::*;

use crate::common;

fn arch() -> impl Strategy<Value = Arch> {
    (
        (1u64..6, 1u64..8),
        (1u64..16, 1u64..32, 1u64..8),
        (1u64..5, 1u64..4, 1u64..3),
        (1u64..4, 1u64..3, 1u64..3, 1u64..3),
        (1u64..3, any::<bool>(), 1u64..5),
    )
        .prop_map(
            |(
                (ah, aw),
                (ri, rf, rp),
                (banks, fbanks, kib),
                (mul, add, fifo, bw),
                (noc, gating, bits),
            )| {
                let mut a = Arch::eyeriss();
                a.name = "random".into();
                a.array = Hw::new(ah, aw);
                a.rf_ifmap = ri;
                a.rf_filter = rf;
                a.rf_psum = rp;
                a.glb_banks = banks;
                a.glb_filter_banks = fbanks;
                a.glb_bank = kib * 1024;
                a.pipeline_mul = mul;
                a.pipeline_add = add;
                a.fifo_depth = fifo;
                a.noc_ofmap = bw;
                a.noc_ifmap = noc;
                a.noc_filter = noc;
                a.zero_gating = gating;
                a.precision = bits * 4;
                a
            },
        )
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 48, ..ProptestConfig::default() }))]
    #[test]
    fn backend_never_panics(
        l in common::small_layer(10),
        arch in arch(),
        channels in 1u64..4,
        filters in 1u64..4,
        batch in 1u64..3,
        hint in proptest::option::of((1u64..3, 1u64..4, 1u64..3)),
        gflow in any::<bool>(),
        seed in 0u64..20,
    ) {
        let Some(mut l) = l else { return Ok(()) };
        l.channels = channels;
        l.filters = filters;
        l.batch = batch;
        l.mapping = hint.map(|(n, p, q)| MappingHint { n: Some(n), p: Some(p), q: Some(q), ..MappingHint::default() });
        // Grad-Flow maps only the gradient passes.
        let pass = if gflow { PassKind::Igrad } else { PassKind::All };
        for format in [Format::Text, Format::Json] {
            let req = Request {
                pass,
                dataflow: if gflow { Dataflow::Gflow } else { Dataflow::Rs },
                format,
                seed,
                ..Request::new(Target::Layer(&l), &arch)
            };
            match run(&req) {
                Ok(out) => prop_assert!(!out.text.contains("\"verified\": false") && !out.text.contains("verified         false")),
                Err(diags) => prop_assert!(!diags.is_empty()),
            }
        }
    }
}

//! Properties of the row-stationary pipeline on random small layers, for
//! every pass: the MACs scheduled equal the analytic count of the mapped
//! convolution, every output equals the reference (so it received exactly
//! its contributions), the bytecode verifier accepts the program, and the
//! binary form round-trips.

use cnnc::bytecode::{decode, encode, verify_program, Program};
use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::simulate;
use proptest::prelude::*;

use crate::common;

fn layer() -> impl Strategy<Value = Option<Layer>> {
    common::small_layer(10)
}

fn analytic(l: &Layer, pass: PassKind) -> u64 {
    let p = l.padded_ifmap();
    match pass {
        PassKind::Forward => l.filter.area() * l.ofmap.area(),
        // Transposed convolution: the rotated filter over the expanded error.
        PassKind::Igrad => l.filter.area() * p.area(),
        // The dilated error over the padded input.
        _ => {
            let d = Hw::new(
                (l.ofmap.h - 1) * l.stride.h + 1,
                (l.ofmap.w - 1) * l.stride.w + 1,
            );
            d.area() * l.filter.area()
        }
    }
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 96, ..ProptestConfig::default() }))]
    #[test]
    fn rs_is_exact(l in layer(), seed in 0u64..1000) {
        let Some(l) = l else { return Ok(()) };
        let arch = Arch::eyeriss();
        for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
            let m = compile(&l, &arch, pass, Dataflow::Rs, &PassOptions::default(), None).unwrap();
            let p: Program = m.program.clone().unwrap();
            prop_assert_eq!(m.set.as_ref().unwrap().scheduled_macs(), analytic(&l, pass));
            prop_assert_eq!(verify_program(&p, arch.fifo_depth, arch.noc_ofmap), Ok(()));
            prop_assert_eq!(decode(&encode(&p)), Ok(p.clone()));
            let o = simulate(m, seed).unwrap();
            prop_assert!(o.stats.verified, "{:?} {:?}: {:?}", l, pass, o.stats.mismatches);
            prop_assert_eq!(o.stats.macs, analytic(&l, pass));
        }
    }
}

/// The forward program of a 5x5 input and a 3x3 filter.
fn tiny_program() -> Program {
    let l = Layer::from_sizes(
        "t",
        Hw::square(5),
        1,
        Hw::square(3),
        1,
        Hw::square(1),
        Hw::square(0),
        1,
        1,
    )
    .unwrap();
    let m = compile(
        &l,
        &Arch::eyeriss(),
        PassKind::Forward,
        Dataflow::Rs,
        &PassOptions::default(),
        None,
    )
    .unwrap();
    m.program.unwrap()
}

#[test]
fn decode_rejects_corruption_without_panicking() {
    let bytes = encode(&tiny_program());
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_err());
    }
    let mut state = 7u64;
    for _ in 0..2000 {
        let mut b = bytes.clone();
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let i = (state >> 33) as usize % b.len();
        b[i] ^= (state >> 7) as u8 | 1;
        // Any answer is fine; it must not panic or allocate without bound,
        // and whatever decodes must verify or be rejected, not crash.
        if let Ok(p) = decode(&b) {
            let _ = verify_program(&p, 64, 1);
        }
    }
}

#[test]
fn verifier_rejects_a_broken_program() {
    let mut p = tiny_program();
    // Point every PE at the top row's code: the lower rows then write outputs too.
    let top = p.pes[0].code;
    for pe in &mut p.pes {
        pe.code = top;
    }
    assert!(verify_program(&p, 64, 1).is_err());
    // A queue of depth 0 cannot hold the psums the schedule forwards.
    assert!(verify_program(&tiny_program(), 0, 1).is_err());
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 64, ..ProptestConfig::default() }))]
    /// Any arch timing (multiplier and adder latency, queue depth, ofmap
    /// bandwidth): the schedule verifies, or lower refuses it with a
    /// capacity diagnostic (E0206); it never breaks an invariant in the
    /// simulator.
    #[test]
    fn rs_any_arch_timing(l in layer(), mul in 1u64..6, add in 1u64..4, depth in 1u64..4, bw in 1u64..4, seed in 0u64..100) {
        let Some(l) = l else { return Ok(()) };
        let mut arch = Arch::eyeriss();
        arch.pipeline_mul = mul;
        arch.pipeline_add = add;
        arch.fifo_depth = depth;
        arch.noc_ofmap = bw;
        for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
            match compile(&l, &arch, pass, Dataflow::Rs, &PassOptions::default(), None) {
                Ok(m) => {
                    let o = simulate(m, seed).unwrap();
                    prop_assert!(o.stats.verified);
                }
                Err(d) => prop_assert_eq!(d.code, "E0206"),
            }
        }
    }
}

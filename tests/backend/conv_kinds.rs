//! Transposed and dilated convolution layers, on random small sizes:
//! - the reference is the gradient of the forward pass (the adjoint
//!   identity `Σ O·dO = Σ X·dX = Σ W·dW`), and a transposed convolution's
//!   forward pass is the input gradient of the matching ordinary one (how
//!   PyTorch defines ConvTranspose2d);
//! - row-stationary runs every pass through the pipeline and every output
//!   equals that reference; the inserted zeros are zero MACs, so the useful
//!   MACs of the passes agree where they multiply the same pairs.

use cnnc::model::{Arch, Hw, Layer};
use cnnc::options::{Dataflow, PassKind};
use cnnc::passes::{compile, PassOptions};
use cnnc::sim::data::Slices;
use cnnc::sim::reference::{filter_grad, forward, input_grad};
use cnnc::sim::simulate;
use ndarray::{s, Array2};
use proptest::prelude::*;

/// A random small transposed or dilated single-channel layer, or `None`
/// when the sizes do not make one.
fn kind_layer() -> impl Strategy<Value = Option<Layer>> {
    (
        (1u64..6, 1u64..6, 1u64..4, 1u64..4),
        (1u64..4, 1u64..4, 0u64..3, 0u64..3),
        (1u64..4, 1u64..4, 0u64..3, 0u64..3),
        any::<bool>(),
    )
        .prop_map(
            |((h, w, r, c), (sh, sw, ph, pw), (dh, dw, oh, ow), transposed)| {
                let one = Hw::square(1);
                let mut l = Layer::from_sizes(
                    "k",
                    Hw::new(h + 2 * r, w + 2 * c),
                    1,
                    one,
                    1,
                    Hw::new(sh, sw),
                    Hw::new(ph, pw),
                    1,
                    1,
                )?;
                l.filter = Hw::new(r, c);
                l.dilation = Hw::new(dh, dw);
                if transposed {
                    l.ifmap = Hw::new(h, w);
                    l.with_transposed(Hw::new(oh, ow))
                } else {
                    l.with_dilation(Hw::new(dh, dw))
                }
            },
        )
}

fn dot(a: &Array2<i64>, b: &Array2<i64>) -> i64 {
    assert_eq!(a.dim(), b.dim());
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

fn padded(l: &Layer, x: &Array2<i64>) -> Array2<i64> {
    let p = l.padded_ifmap();
    let mut out = Array2::zeros((p.h as usize, p.w as usize));
    out.slice_mut(s![
        l.pad.h as usize..(l.pad.h + l.ifmap.h) as usize,
        l.pad.w as usize..(l.pad.w + l.ifmap.w) as usize
    ])
    .assign(x);
    out
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 160, ..ProptestConfig::default() }))]

    #[test]
    fn reference_is_the_gradient_of_the_forward_pass(l in kind_layer(), seed in 0u64..1000) {
        let Some(l) = l else { return Ok(()) };
        let d = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, 0, 0, 0);
        let o = forward(&l, &d);
        let (dx, dw) = (input_grad(&l, &d), filter_grad(&l, &d));
        let x = if l.transposed { d.ifmap.clone() } else { padded(&l, &d.ifmap) };
        let loss = dot(&o, &d.error);
        prop_assert_eq!(loss, dot(&x, &dx), "{:?}", l);
        prop_assert_eq!(loss, dot(&d.filter, &dw), "{:?}", l);
    }

    #[test]
    fn transposed_is_the_input_gradient_of_the_ordinary_convolution(l in kind_layer(), seed in 0u64..1000) {
        let Some(t) = l.filter(|l| l.transposed) else { return Ok(()) };
        // The ordinary convolution from T's output back to T's input.
        let Some(c) = Layer::from_sizes("c", t.ofmap, 1, Hw::square(1), 1, t.stride, t.pad, 1, 1)
            .and_then(|mut c| { c.filter = t.filter; c.with_dilation(t.dilation) })
        else { return Ok(()) };
        // Output padding of at least the stride (allowed below the dilation)
        // gives T an input C does not produce.
        if c.ofmap != t.ifmap { return Ok(()) }
        let d = Slices::generate(seed, t.ifmap, t.filter, t.ofmap, 0, 0, 0);
        let cd = Slices { ifmap: Array2::zeros((t.ofmap.h as usize, t.ofmap.w as usize)), filter: d.filter.clone(), error: d.ifmap.clone() };
        let g = input_grad(&c, &cd);
        let (p, e) = (t.pad, t.ofmap);
        let cropped = g.slice(s![p.h as usize..(p.h + e.h) as usize, p.w as usize..(p.w + e.w) as usize]).to_owned();
        prop_assert_eq!(forward(&t, &d), cropped, "{:?}", t);
    }

    #[test]
    fn row_stationary_runs_every_pass_exactly(l in kind_layer(), seed in 0u64..1000) {
        let Some(l) = l else { return Ok(()) };
        let arch = Arch::eyeriss();
        let mut useful = Vec::new();
        for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
            let m = compile(&l, &arch, pass, Dataflow::Rs, &PassOptions::default(), None)
                .unwrap_or_else(|d| panic!("{l:?} {pass:?}: {d:?}"));
            let g = m.graph.as_ref().unwrap();
            let (_, x, k, out) = g.conv().unwrap();
            let (x, k, out) = (g.shape(x).unwrap(), g.shape(k).unwrap(), g.shape(out).unwrap());
            prop_assert!(k.h <= x.h && k.w <= x.w);
            prop_assert_eq!(m.set.as_ref().unwrap().scheduled_macs(), k.area() * out.area());
            let o = simulate(m, seed).unwrap();
            prop_assert!(o.stats.verified, "{:?} {:?}: {:?}", l, pass, o.stats.mismatches);
            useful.push(o.stats.macs - o.stats.zero_macs);
        }
        // The data has no zeros: a product is zero exactly when an inserted
        // zero (padding, zero insertion, filter dilation) takes part.
        if l.transposed {
            // Every pass multiplies the pairs (input, tap) that land in the output.
            prop_assert_eq!(useful[0], useful[1], "{:?}", l);
            prop_assert_eq!(useful[0], useful[2], "{:?}", l);
        } else {
            // Forward and filter gradient multiply the same (output, tap) pairs.
            prop_assert_eq!(useful[0], useful[2], "{:?}", l);
            prop_assert_eq!(useful[1], l.ofmap.area() * l.filter.area());
        }
    }
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 160, ..ProptestConfig::default() }))]

    /// Grad-Flow maps a transposed layer's forward pass and filter gradient
    /// (dilation 1) and a dilated layer's stride-1 forward pass and input
    /// gradient, with none of the inserted zeros; every other pass is
    /// refused with E0090.
    #[test]
    fn grad_flow_maps_the_passes_it_can_and_refuses_the_rest(l in kind_layer(), seed in 0u64..1000) {
        // Ordinary layers (dilation 1) are tests/backend/gflow.rs's.
        let Some(l) = l.filter(|l| !l.is_ordinary()) else { return Ok(()) };
        let arch = Arch::eyeriss();
        for pass in [PassKind::Forward, PassKind::Igrad, PassKind::Fgrad] {
            let direct = match (l.transposed, pass) {
                (true, PassKind::Forward | PassKind::Fgrad) => l.dilation.is_one(),
                (false, PassKind::Forward | PassKind::Igrad) => l.stride.is_one(),
                _ => false,
            };
            match compile(&l, &arch, pass, Dataflow::Gflow, &PassOptions::default(), None) {
                Ok(m) => {
                    prop_assert!(direct, "{:?} {:?} mapped", l, pass);
                    let o = simulate(m, seed).unwrap();
                    prop_assert!(o.stats.verified, "{:?} {:?}: {:?}", l, pass, o.stats.mismatches);
                    // Every input times every tap (transposed forward and
                    // filter gradient), every output times every tap
                    // (dilated forward), every padded-input gradient element
                    // times every tap (dilated igrad): the filter's inserted
                    // zeros and the zero-inserted input are never multiplied.
                    let positions = match (l.transposed, pass) {
                        (true, _) => l.ifmap.area(),
                        (false, PassKind::Igrad) => l.input_grad_shape().area(),
                        _ => l.ofmap.area(),
                    };
                    let want = positions * l.filter.area();
                    prop_assert_eq!(o.stats.macs, want, "{:?} {:?}", l, pass);
                }
                Err(d) => {
                    prop_assert!(!direct, "{:?} {:?}: {:?}", l, pass, d);
                    prop_assert_eq!(d.code, "E0090");
                    prop_assert!(d.help.unwrap().contains("--dataflow rs"));
                }
            }
        }
    }
}

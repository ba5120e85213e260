//! `--dataflow rs-split`'s decomposition is exact: on random strided
//! layers, the phases (separate and fused), each computed by the reference
//! of the ordinary stride-1 layer it is, interleave into the layer's own
//! input and filter gradients (the reference the simulator is checked
//! against). With the whole-layer simulation checking each phase, this
//! makes the decomposition verified end to end. Plus the command: a
//! strided layer's gradients run as phases, simulated and verified whole.

use cnnc::ir::phases::{fused, split, Phase, Split};
use cnnc::model::{Hw, Layer};
use cnnc::options::PassKind;
use cnnc::sim::data::Slices;
use cnnc::sim::reference::{filter_grad, forward, input_grad};
use ndarray::Array2;
use proptest::prelude::*;

fn array(h: u64, w: u64, seed: u64) -> Array2<i64> {
    Array2::from_shape_fn((h as usize, w as usize), |(r, c)| {
        ((r as u64 * 31 + c as u64 * 17 + seed * 13) % 11) as i64 - 5
    })
}

fn padded(l: &Layer, x: &Array2<i64>) -> Array2<i64> {
    let p = l.padded_ifmap();
    let mut out = Array2::zeros((p.h as usize, p.w as usize));
    for ((r, c), v) in x.indexed_iter() {
        out[(r + l.pad.h as usize, c + l.pad.w as usize)] = *v;
    }
    out
}

/// The residues (a, b) of a phase's output channels (one for a separate
/// phase, every residue in order for the fused form).
fn residues(l: &Layer, p: &Phase) -> Vec<(usize, usize)> {
    match p.residue {
        Some(r) => vec![(r.h as usize, r.w as usize)],
        None => (0..l.stride.h.min(l.filter.h) as usize)
            .flat_map(|a| (0..l.stride.w.min(l.filter.w) as usize).map(move |b| (a, b)))
            .collect(),
    }
}

/// The input gradient assembled from the phases: each phase's output for
/// residue (a, b) is the forward pass of its layer with input dO and the
/// flipped sub-filter (zero taps beyond it in the fused form).
fn igrad_from(l: &Layer, phases: &[Phase], w: &Array2<i64>, d_o: &Array2<i64>) -> Array2<i64> {
    let (s, k) = (
        [l.stride.h as usize, l.stride.w as usize],
        [l.filter.h as usize, l.filter.w as usize],
    );
    let pad = l.padded_ifmap();
    let mut g = Array2::zeros((pad.h as usize, pad.w as usize));
    for p in phases {
        let t = [p.layer.filter.h as usize, p.layer.filter.w as usize];
        for (a, b) in residues(l, p) {
            let sub = Array2::from_shape_fn((t[0], t[1]), |(i, j)| {
                let (y, x) = (s[0] * (t[0] - 1 - i) + a, s[1] * (t[1] - 1 - j) + b);
                if y < k[0] && x < k[1] {
                    w[(y, x)]
                } else {
                    0
                }
            });
            let out = forward(
                &p.layer,
                &Slices {
                    ifmap: d_o.clone(),
                    filter: sub,
                    error: Array2::zeros((1, 1)),
                },
            );
            for ((u, v), val) in out.indexed_iter() {
                let (y, x) = (s[0] * u + a, s[1] * v + b);
                if y < pad.h as usize && x < pad.w as usize {
                    g[(y, x)] += *val;
                }
            }
        }
    }
    g
}

/// The filter gradient assembled from the phases: each phase's is the
/// filter gradient of its layer with input the residue's phase of the
/// padded input and the same error.
fn fgrad_from(l: &Layer, phases: &[Phase], x: &Array2<i64>, d_o: &Array2<i64>) -> Array2<i64> {
    let s = [l.stride.h as usize, l.stride.w as usize];
    let xp = padded(l, x);
    let mut g = Array2::zeros((l.filter.h as usize, l.filter.w as usize));
    for p in phases {
        let i = p.layer.ifmap;
        for (a, b) in residues(l, p) {
            let phase = Array2::from_shape_fn((i.h as usize, i.w as usize), |(u, v)| {
                let (y, x) = (s[0] * u + a, s[1] * v + b);
                xp.get((y, x)).copied().unwrap_or(0)
            });
            let dw = filter_grad(
                &p.layer,
                &Slices {
                    ifmap: phase,
                    filter: Array2::zeros((1, 1)),
                    error: d_o.clone(),
                },
            );
            for ((ti, tj), val) in dw.indexed_iter() {
                let (y, x) = (s[0] * ti + a, s[1] * tj + b);
                if y < l.filter.h as usize && x < l.filter.w as usize {
                    g[(y, x)] += *val;
                } else {
                    // The fused form's padded taps compute gradients of
                    // taps the layer does not have; they are dropped.
                    assert!(
                        p.residue.is_none(),
                        "a separate phase wrote outside the filter"
                    );
                }
            }
        }
    }
    g
}

fn strided_layer() -> impl Strategy<Value = Option<Layer>> {
    (
        3u64..12,
        3u64..12,
        1u64..6,
        1u64..6,
        1u64..4,
        1u64..4,
        0u64..3,
    )
        .prop_map(|(h, w, r, s, sh, sw, pad)| {
            Layer::from_sizes(
                "l",
                Hw::new(h, w),
                1,
                Hw::new(r, s),
                1,
                Hw::new(sh, sw),
                Hw::square(pad.min(r.min(s) - 1)),
                1,
                1,
            )
        })
}

proptest! {
    #![proptest_config(crate::common::regressions_beside_source(ProptestConfig { cases: 256, ..ProptestConfig::default() }))]
    #[test]
    fn the_phases_add_up_to_the_layers_gradients(l in strided_layer(), seed in 0u64..100) {
        let Some(l) = l else { return Ok(()) };
        let w = array(l.filter.h, l.filter.w, seed);
        let x = array(l.ifmap.h, l.ifmap.w, seed + 1);
        let d_o = array(l.ofmap.h, l.ofmap.w, seed + 2);
        let d = Slices { ifmap: x.clone(), filter: w.clone(), error: d_o.clone() };
        for pass in [PassKind::Igrad, PassKind::Fgrad] {
            let Split::Phases(ps) = split(&l, pass) else {
                prop_assert!(l.stride.h == 1 && l.stride.w == 1);
                continue;
            };
            let mut forms = vec![ps];
            forms.extend(fused(&l, pass).map(|f| vec![f]));
            for form in &forms {
                if pass == PassKind::Igrad {
                    prop_assert_eq!(igrad_from(&l, form, &w, &d_o), input_grad(&l, &d));
                } else {
                    prop_assert_eq!(fgrad_from(&l, form, &x, &d_o), filter_grad(&l, &d));
                }
            }
        }
    }
}

#[test]
fn a_strided_layers_gradients_run_as_verified_phases() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cnnc"))
        .args([
            "examples/tiny_s2.cnn",
            "--pass",
            "all",
            "--dataflow",
            "rs-split",
            "--verify",
            "full",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let passes = v.as_array().expect("three passes");
    assert_eq!(passes[0]["rs_split"]["form"], "whole");
    for p in &passes[1..] {
        let split = &p["rs_split"];
        assert_ne!(split["form"], "whole", "{p}");
        let phases = split["phases"].as_array().expect("phases");
        assert!(!phases.is_empty());
        for ph in phases {
            assert_eq!(ph["verified"], true);
            assert_eq!(ph["verify"], "full");
            assert_eq!(ph["cycles_from"], "simulation");
        }
        let s = &p["layer_stats"];
        assert_eq!(s["dataflow"], "rs-split");
        assert_eq!(s["cycles_from"], "simulation");
        let sum: u64 = phases.iter().map(|ph| ph["cycles"].as_u64().unwrap()).sum();
        assert!(s["cycles"].as_u64().unwrap() >= sum);
    }
}

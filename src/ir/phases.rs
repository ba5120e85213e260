//! `--dataflow rs-split`: a strided layer's gradient passes decomposed
//! into stride-1 convolutions with no inserted zeros, each an ordinary
//! layer the row-stationary machinery runs unchanged (docs/rs-split.md).
//!
//! For residues `a < s_h`, `b < s_w`, with sub-filter `W_ab[i][j] =
//! W[s_h·i + a][s_w·j + b]` of `R_a x S_b` taps (`R_a = ceil((R - a) /
//! s_h)`):
//!
//! - input gradient: `dXp[s_h·u + a][s_w·v + b] = Σ W_ab[i][j] ·
//!   dO[u - i][v - j]`, the forward pass of a stride-1 layer whose input
//!   is the error (M channels, C filters), padded by `R_a - 1 x S_b - 1`,
//!   with the sub-filter flipped; its outputs interleave into dXp;
//! - filter gradient: `dW[s_h·i + a][s_w·j + b] = Σ dO[e][f] · Xp[s_h·(e +
//!   i) + a][s_w·(f + j) + b]`, the filter gradient of a stride-1 layer
//!   whose input is the phase `X_ab[u][v] = Xp[s_h·u + a][s_w·v + b]`
//!   (`E_h + R_a - 1` rows of it; the padding's zeros are data there).
//!
//! The phases' products are exactly the layer's, and every residue with
//! taps is one phase.

use crate::model::{Hw, Layer};
use crate::options::PassKind;

/// One stride-1 convolution of a decomposed layer-pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// The residue `(a, b)` of the layer's rows and columns it covers;
    /// `None` for the fused form, which covers them all.
    pub residue: Option<Hw>,
    /// The phase as an ordinary layer (named `LAYER.phaseAB`).
    pub layer: Layer,
    /// The phase layer's pass that computes it.
    pub pass: PassKind,
}

/// How `rs-split` runs a layer-pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// The phases, run one after another.
    Phases(Vec<Phase>),
    /// Nothing to decompose (or not decomposed yet): the pass runs
    /// row-stationary, and this says why.
    Whole(&'static str),
}

/// The decomposition of `pass` of `l`.
pub fn split(l: &Layer, pass: PassKind) -> Split {
    if l.transposed {
        return Split::Whole(
            "a transposed layer is not decomposed yet: its pass runs row-stationary",
        );
    }
    if !l.dilation.is_one() {
        return Split::Whole("a dilated layer is not decomposed yet: its pass runs row-stationary");
    }
    if pass == PassKind::Forward {
        return Split::Whole("a forward pass has no inserted zeros: it runs row-stationary");
    }
    if l.stride.h == 1 && l.stride.w == 1 {
        return Split::Whole("stride 1: nothing to decompose, the pass runs row-stationary");
    }
    let (s, k, e) = (l.stride, l.filter, l.ofmap);
    let mut phases = Vec::new();
    for a in 0..s.h.min(k.h) {
        for b in 0..s.w.min(k.w) {
            let taps = Hw::new((k.h - a).div_ceil(s.h), (k.w - b).div_ceil(s.w));
            let layer = match pass {
                PassKind::Igrad => phase_layer(
                    l,
                    &format!("phase{a}{b}"),
                    e,
                    l.filters,
                    l.channels,
                    taps,
                    Hw::new(taps.h - 1, taps.w - 1),
                ),
                _ => phase_layer(
                    l,
                    &format!("phase{a}{b}"),
                    Hw::new(e.h + taps.h - 1, e.w + taps.w - 1),
                    l.channels,
                    l.filters,
                    taps,
                    Hw::default(),
                ),
            };
            let Some(layer) = layer else {
                return Split::Whole(
                    "a phase does not make a layer (internal limit): the pass runs row-stationary",
                );
            };
            phases.push(Phase {
                residue: Some(Hw::new(a, b)),
                layer,
                pass: if pass == PassKind::Igrad {
                    PassKind::Forward
                } else {
                    PassKind::Fgrad
                },
            });
        }
    }
    Split::Phases(phases)
}

/// The fused form of a split pass: every residue in one stride-1
/// convolution whose sub-filters are padded with zero taps to the longest
/// (`ceil(R / s_h) x ceil(S / s_w)`). The input gradient's error streams
/// once for all `s_h·s_w·C` output channels (depth-to-space after); the
/// filter gradient's phases are stacked as `s_h·s_w·C` input channels
/// (space-to-depth before). `None` where the pass is not split or is one
/// phase already.
pub fn fused(l: &Layer, pass: PassKind) -> Option<Phase> {
    let Split::Phases(ps) = split(l, pass) else {
        return None;
    };
    if ps.len() < 2 {
        return None;
    }
    let (s, k, e) = (l.stride, l.filter, l.ofmap);
    let taps = Hw::new(k.h.div_ceil(s.h), k.w.div_ceil(s.w));
    let residues = s.h.min(k.h) * s.w.min(k.w);
    let layer = match pass {
        PassKind::Igrad => phase_layer(
            l,
            "fused",
            e,
            l.filters,
            l.channels * residues,
            taps,
            Hw::new(taps.h - 1, taps.w - 1),
        ),
        _ => phase_layer(
            l,
            "fused",
            Hw::new(e.h + taps.h - 1, e.w + taps.w - 1),
            l.channels * residues,
            l.filters,
            taps,
            Hw::default(),
        ),
    }?;
    Some(Phase {
        residue: None,
        layer,
        pass: ps[0].pass,
    })
}

fn phase_layer(
    l: &Layer,
    suffix: &str,
    ifmap: Hw,
    channels: u64,
    filters: u64,
    taps: Hw,
    pad: Hw,
) -> Option<Layer> {
    let mut p = Layer::from_sizes(
        &format!("{}.{suffix}", l.name),
        ifmap,
        channels,
        taps,
        filters,
        Hw::square(1),
        pad,
        l.batch,
        l.groups,
    )?;
    p.span = l.span;
    Some(p)
}

/// Elements of the layer-pass's result that no phase writes (gradient
/// rows and columns no product reaches, e.g. 3 of 4 of a 1x1 stride-2
/// layer's input gradient): zeros the layer must still write.
pub fn unwritten(l: &Layer, pass: PassKind, phases: &[Phase]) -> u64 {
    let written: u64 = phases
        .iter()
        .map(|p| match pass {
            // A phase writes its outputs that fall inside dXp.
            PassKind::Igrad => {
                let rows = |a: u64, out: u64, len: u64, s: u64| out.min((len - a).div_ceil(s));
                let pad = l.padded_ifmap();
                let one = |r: Hw| {
                    rows(r.h, p.layer.ofmap.h, pad.h, l.stride.h)
                        * rows(r.w, p.layer.ofmap.w, pad.w, l.stride.w)
                };
                let per_channel: u64 = match p.residue {
                    Some(r) => one(r),
                    // The fused form's output channel (a, b, c) is residue (a, b).
                    None => (0..l.stride.h.min(l.filter.h))
                        .flat_map(|a| (0..l.stride.w.min(l.filter.w)).map(move |b| Hw::new(a, b)))
                        .map(one)
                        .sum(),
                };
                per_channel * p.layer.batch * l.channels
            }
            // Every tap of the layer is one phase's (the fused form's
            // zero-padded taps are not the layer's).
            _ => match p.residue {
                Some(_) => p.layer.filter.area() * p.layer.filters * p.layer.channels_per_group(),
                None => l.filter.area() * l.filters * l.channels_per_group(),
            },
        })
        .sum();
    let all = match pass {
        PassKind::Igrad => l.padded_ifmap().area() * l.batch * l.channels,
        _ => l.filter.area() * l.filters * l.channels_per_group(),
    };
    all.saturating_sub(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(ifmap: u64, k: u64, s: u64, pad: u64) -> Layer {
        Layer::from_sizes(
            "l",
            Hw::square(ifmap),
            3,
            Hw::square(k),
            4,
            Hw::square(s),
            Hw::square(pad),
            2,
            1,
        )
        .unwrap()
    }

    #[test]
    fn a_3x3_stride_2_input_gradient_is_four_phases_of_the_layers_taps() {
        let l = layer(8, 3, 2, 1);
        let Split::Phases(ps) = split(&l, PassKind::Igrad) else {
            panic!("not split")
        };
        let taps: Vec<u64> = ps.iter().map(|p| p.layer.filter.area()).collect();
        assert_eq!(taps, vec![4, 2, 2, 1]);
        // Each phase's products (before padding) add to the layer's taps.
        assert_eq!(taps.iter().sum::<u64>(), 9);
        assert!(ps.iter().all(|p| p.pass == PassKind::Forward));
        assert_eq!(ps[0].layer.ofmap, Hw::square(l.ofmap.h + 1));
    }

    #[test]
    fn a_1x1_stride_2_layer_leaves_three_quarters_unwritten() {
        let l = layer(8, 1, 2, 0);
        let Split::Phases(ps) = split(&l, PassKind::Igrad) else {
            panic!("not split")
        };
        assert_eq!(ps.len(), 1);
        assert_eq!(unwritten(&l, PassKind::Igrad, &ps), 3 * 16 * 2 * 3);
        let Split::Phases(fs) = split(&l, PassKind::Fgrad) else {
            panic!("not split")
        };
        assert_eq!(unwritten(&l, PassKind::Fgrad, &fs), 0);
    }

    #[test]
    fn the_fused_form_writes_at_least_what_the_phases_write() {
        // The fused form computes every residue's rows up to its longest
        // phase's, so it leaves no more unwritten than the separate phases;
        // where the layer's input has no rows past its last window, neither
        // leaves any.
        for (ifmap, k, s, pad, exact) in [
            (8, 3, 2, 1, false),
            (7, 3, 2, 0, true),
            (11, 5, 3, 0, false),
        ] {
            let l = layer(ifmap, k, s, pad);
            for pass in [PassKind::Igrad, PassKind::Fgrad] {
                let Split::Phases(ps) = split(&l, pass) else {
                    panic!("not split")
                };
                let f = fused(&l, pass).expect("fused");
                let (sep, fus) = (
                    unwritten(&l, pass, &ps),
                    unwritten(&l, pass, std::slice::from_ref(&f)),
                );
                assert!(fus <= sep, "{ifmap} {k} {s} {pad} {pass:?}");
                if exact {
                    assert_eq!((sep, fus), (0, 0));
                }
            }
        }
    }

    #[test]
    fn stride_1_and_forward_are_not_split() {
        assert!(matches!(
            split(&layer(8, 3, 1, 1), PassKind::Igrad),
            Split::Whole(_)
        ));
        assert!(matches!(
            split(&layer(8, 3, 2, 1), PassKind::Forward),
            Split::Whole(_)
        ));
        assert!(fused(&layer(8, 1, 2, 0), PassKind::Igrad).is_none());
    }
}

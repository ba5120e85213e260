//! Reference results computed directly from the layer's definition with
//! ndarray, independent of any mapping and of how the passes lower the
//! layer: the forward convolution, the input gradient and the filter
//! gradient of one 2-D slice.
//!
//! Every pass is one relation between an input position `i`, a filter tap
//! `a` and an output position `o`, per axis:
//! - an ordinary or dilated convolution reads padded input `o·s + a·d` (its
//!   rows past the last window, if any, are never read);
//! - a transposed convolution (PyTorch's ConvTranspose2d) adds input `i`
//!   times tap `a` into output `i·s + a·d - p`, if that lies in the output.
//!
//! With the loss `L = Σ dO·O`, the forward pass sums `X·W` into `O`, the
//! input gradient sums `dO·W` into the input, the filter gradient sums
//! `X·dO` into the tap: the same relation read three ways. The input
//! gradient of an ordinary layer is that of the padded input (its border
//! included); a transposed layer pads nothing of its input.

use ndarray::Array2;

use super::data::Slices;
use crate::ir::OutKind;
use crate::model::Layer;

/// Zero-padded copy of the ifmap slice.
fn padded(layer: &Layer, x: &Array2<i64>) -> Array2<i64> {
    let p = layer.pad;
    let s = layer.padded_ifmap();
    let mut out = Array2::zeros((s.h as usize, s.w as usize));
    for ((r, c), v) in x.indexed_iter() {
        out[(r + p.h as usize, c + p.w as usize)] = *v;
    }
    out
}

/// Per-axis numbers as usize: stride, dilation, pad.
fn axes(layer: &Layer) -> ([usize; 2], [usize; 2], [usize; 2]) {
    let (s, d, p) = (layer.stride, layer.dilation, layer.pad);
    (
        [s.h as usize, s.w as usize],
        [d.h as usize, d.w as usize],
        [p.h as usize, p.w as usize],
    )
}

/// Transposed convolution: the output position input `i` and tap `a` add
/// into on one axis, if it lies in `0..len`.
fn scatter(i: usize, a: usize, s: usize, d: usize, p: usize, len: usize) -> Option<usize> {
    (i * s + a * d).checked_sub(p).filter(|&o| o < len)
}

/// Calls `f(input position, tap, output position)` for every pair of a
/// transposed layer's input element and tap that lands in the output.
fn each_transposed(
    layer: &Layer,
    mut f: impl FnMut((usize, usize), (usize, usize), (usize, usize)),
) {
    let (s, d, p) = axes(layer);
    let (i, k, o) = (layer.ifmap, layer.filter, layer.ofmap);
    for ih in 0..i.h as usize {
        for iw in 0..i.w as usize {
            for y in 0..k.h as usize {
                let Some(oh) = scatter(ih, y, s[0], d[0], p[0], o.h as usize) else {
                    continue;
                };
                for x in 0..k.w as usize {
                    if let Some(ow) = scatter(iw, x, s[1], d[1], p[1], o.w as usize) {
                        f((ih, iw), (y, x), (oh, ow));
                    }
                }
            }
        }
    }
}

/// Calls `f(padded input position, tap, output position)` for every product
/// of an ordinary or dilated layer: input `o·s + a·d` of the padded input.
fn each_ordinary(layer: &Layer, mut f: impl FnMut((usize, usize), (usize, usize), (usize, usize))) {
    let (s, d, _) = axes(layer);
    let (k, o) = (layer.filter, layer.ofmap);
    for e in 0..o.h as usize {
        for g in 0..o.w as usize {
            for y in 0..k.h as usize {
                for x in 0..k.w as usize {
                    f((e * s[0] + y * d[0], g * s[1] + x * d[1]), (y, x), (e, g));
                }
            }
        }
    }
}

/// `O[o] = Σ W[a] · X[i]` over the layer's relation.
pub fn forward(layer: &Layer, d: &Slices) -> Array2<i64> {
    let o = layer.ofmap;
    let mut out = Array2::zeros((o.h as usize, o.w as usize));
    if layer.transposed {
        each_transposed(layer, |i, a, o| out[o] += d.filter[a] * d.ifmap[i]);
    } else {
        let xp = padded(layer, &d.ifmap);
        each_ordinary(layer, |i, a, o| out[o] += d.filter[a] * xp[i]);
    }
    out
}

/// `dX[i] = Σ W[a] · dO[o]` over the layer's relation; of the padded input
/// for an ordinary or dilated layer.
pub fn input_grad(layer: &Layer, d: &Slices) -> Array2<i64> {
    let p = layer.input_grad_shape();
    let mut g = Array2::zeros((p.h as usize, p.w as usize));
    if layer.transposed {
        each_transposed(layer, |i, a, o| g[i] += d.filter[a] * d.error[o]);
    } else {
        each_ordinary(layer, |i, a, o| g[i] += d.filter[a] * d.error[o]);
    }
    g
}

/// `dW[a] = Σ dO[o] · X[i]` over the layer's relation.
pub fn filter_grad(layer: &Layer, d: &Slices) -> Array2<i64> {
    let k = layer.filter;
    let mut g = Array2::zeros((k.h as usize, k.w as usize));
    if layer.transposed {
        each_transposed(layer, |i, a, o| g[a] += d.error[o] * d.ifmap[i]);
    } else {
        let xp = padded(layer, &d.ifmap);
        each_ordinary(layer, |i, a, o| g[a] += d.error[o] * xp[i]);
    }
    g
}

pub fn reference(kind: OutKind, layer: &Layer, d: &Slices) -> Array2<i64> {
    match kind {
        OutKind::Ofmap => forward(layer, d),
        OutKind::InputGrad => input_grad(layer, d),
        OutKind::FilterGrad => filter_grad(layer, d),
    }
}

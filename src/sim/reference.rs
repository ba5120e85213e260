//! Reference results computed directly from the layer's definition with
//! ndarray, independent of any mapping: the forward convolution, the input
//! gradient (of the padded input) and the filter gradient of one 2-D slice.

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

/// `O[e][f] = Σ W[y][x] · Xp[e·s_h + y][f·s_w + x]`
pub fn forward(layer: &Layer, d: &Slices) -> Array2<i64> {
    let xp = padded(layer, &d.ifmap);
    let (s, k, o) = (layer.stride, layer.filter, layer.ofmap);
    Array2::from_shape_fn((o.h as usize, o.w as usize), |(e, f)| {
        let mut acc = 0i64;
        for y in 0..k.h as usize {
            for x in 0..k.w as usize {
                acc += d.filter[(y, x)] * xp[(e * s.h as usize + y, f * s.w as usize + x)];
            }
        }
        acc
    })
}

/// Gradient of the padded input: `dXp[R][C] = Σ_{e·s_h+y=R, f·s_w+x=C} W[y][x] · dO[e][f]`.
pub fn input_grad(layer: &Layer, d: &Slices) -> Array2<i64> {
    let (s, k, o, p) = (
        layer.stride,
        layer.filter,
        layer.ofmap,
        layer.padded_ifmap(),
    );
    let mut g = Array2::zeros((p.h as usize, p.w as usize));
    for e in 0..o.h as usize {
        for f in 0..o.w as usize {
            for y in 0..k.h as usize {
                for x in 0..k.w as usize {
                    g[(e * s.h as usize + y, f * s.w as usize + x)] +=
                        d.filter[(y, x)] * d.error[(e, f)];
                }
            }
        }
    }
    g
}

/// `dW[y][x] = Σ dO[e][f] · Xp[y + e·s_h][x + f·s_w]`
pub fn filter_grad(layer: &Layer, d: &Slices) -> Array2<i64> {
    let xp = padded(layer, &d.ifmap);
    let (s, k, o) = (layer.stride, layer.filter, layer.ofmap);
    Array2::from_shape_fn((k.h as usize, k.w as usize), |(y, x)| {
        let mut acc = 0i64;
        for e in 0..o.h as usize {
            for f in 0..o.w as usize {
                acc += d.error[(e, f)] * xp[(y + e * s.h as usize, x + f * s.w as usize)];
            }
        }
        acc
    })
}

pub fn reference(kind: OutKind, layer: &Layer, d: &Slices) -> Array2<i64> {
    match kind {
        OutKind::Ofmap => forward(layer, d),
        OutKind::InputGrad => input_grad(layer, d),
        OutKind::FilterGrad => filter_grad(layer, d),
    }
}

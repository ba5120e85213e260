//! The values of a whole layer's processing passes: which layer element
//! each plane of a pass binds to (through the plan's role table,
//! `Convs::layer_indices`), the direct convolution a pass computes, and the
//! reference of one output slice of the layer. All independent of the
//! pass's schedule, so they check it.

use std::collections::HashMap;

use ndarray::Array2;

use super::data::{value, Slices, Tensor};
use super::reference;
use crate::ir::{
    plane_src, split_src, Convs, Module, OutKind, PassJob, PassShape, Src, SrcKind, SrcMatrix,
};
use crate::model::Hw;

/// The output slice `(outer, inner)` of a triple, as `--verify full` names it.
fn slice_of(kind: OutKind, (n, c, m): (u64, u64, u64)) -> (u64, u64) {
    match kind {
        OutKind::Ofmap => (n, m),
        OutKind::InputGrad => (n, c),
        OutKind::FilterGrad => (m, c),
    }
}

/// The value of a layer element of kind `kind` for triple (n, c, m).
fn element(seed: u64, kind: SrcKind, (n, c, m): (u64, u64, u64), r: u64, cc: u64) -> Option<i64> {
    Some(match kind {
        SrcKind::Zero => 0,
        SrcKind::Ifmap => value(seed, Tensor::Ifmap, n, c, r, cc),
        SrcKind::Filter => value(seed, Tensor::Filter, m, c, r, cc),
        SrcKind::Error => value(seed, Tensor::Error, n, m, r, cc),
        SrcKind::Psum => return None,
    })
}

/// Everything one pass needs to bind its planes to the layer.
pub(super) struct Binding {
    ifmap_side: SrcKind,
    /// Triple of each ifmap-side and filter-side plane; output slice of
    /// each output plane.
    ifmap: Vec<(u64, u64, u64)>,
    filter: Vec<(u64, u64, u64)>,
    pub(super) out: Vec<(u64, u64)>,
}

impl Binding {
    /// The layer value of a stacked ifmap-side or filter-side source.
    pub(super) fn value(&self, seed: u64, s: Src) -> Option<i64> {
        let (plane, s) = split_src(s);
        let tr = if s.kind == self.ifmap_side {
            *self.ifmap.get(plane as usize)?
        } else {
            *self.filter.get(plane as usize)?
        };
        element(seed, s.kind, tr, s.r as u64, s.c as u64)
    }
}

/// The binding of pass `j` of module `m` (`x`: the layer's ifmap-side
/// operand, `kind`: the layer's output).
pub(super) fn binding(m: &Module, x: &SrcMatrix, j: &PassJob, kind: OutKind) -> Binding {
    let l = &m.layer;
    let s = &j.shape;
    let t = |i, f, c| Convs::layer_indices(l, m.pass, j.group, i, f, c);
    let (q, p) = (s.q(), s.p());
    let mut ifmap = vec![(0, 0, 0); (s.images * s.channels.len() as u64 * q) as usize];
    let mut filter =
        vec![(0, 0, 0); (s.filters.len() as u64 * p * s.channels.len() as u64 * q) as usize];
    let mut out = vec![(0, 0); (s.images * s.filters.len() as u64 * p) as usize];
    let ch0 = |ri: u64| j.channels.0 + s.channels[..ri as usize].iter().sum::<u64>();
    let f0 = |ti: u64| j.filters.0 + s.filters[..ti as usize].iter().sum::<u64>();
    for img in 0..s.images {
        for (ri, &held) in s.channels.iter().enumerate() {
            for c in 0..held {
                let i = j.images.0 + img;
                ifmap[s.ifmap_plane(img, ri as u64, c) as usize] = t(i, 0, ch0(ri as u64) + c);
            }
        }
        for (ti, &held) in s.filters.iter().enumerate() {
            for f in 0..held {
                let tr = t(j.images.0 + img, f0(ti as u64) + f, 0);
                out[s.out_plane(img, ti as u64, f) as usize] = slice_of(kind, tr);
            }
        }
    }
    for (ti, &fh) in s.filters.iter().enumerate() {
        for f in 0..fh {
            for (ri, &ch) in s.channels.iter().enumerate() {
                for c in 0..ch {
                    let tr = t(0, f0(ti as u64) + f, ch0(ri as u64) + c);
                    filter[s.filter_plane(ti as u64, f, ri as u64, c) as usize] = tr;
                }
            }
        }
    }
    // The ifmap side's kind: the first non-zero source of the operand.
    let ifmap_side = x
        .data
        .iter()
        .find(|s| !s.is_zero())
        .map_or(SrcKind::Ifmap, |s| s.kind);
    Binding {
        ifmap_side,
        ifmap,
        filter,
        out,
    }
}

/// The direct convolution a pass computes (independent of its schedule):
/// each output's incoming psum plus its products over the pass's channels
/// and kernel rows.
pub(super) fn expected(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    s: &PassShape,
    val: &dyn Fn(Src) -> Option<i64>,
    out_shape: Hw,
) -> Vec<Option<i64>> {
    let windows = out_shape.w;
    let width = s.out_rows.1 - s.out_rows.0;
    let (kr0, kr1) = s.kernel_rows;
    let lo = kr0 + s.out_rows.0 * stride.h;
    let (xh, kh) = (kr1 - 1 + (s.out_rows.1 - 1) * stride.h + 1 - lo, kr1 - kr0);
    // Every source is read by many products: each plane's values are
    // looked up once, ifmap-side rows `lo..` and the pass's kernel rows.
    // Beside them, the values without `Option` when every one exists:
    // the products of such planes need no per-product check.
    let rows_of = |m: &SrcMatrix, first: u64, rows: u64, plane: u64| {
        let v: Vec<Option<i64>> = (first..first + rows)
            .flat_map(|r| (0..m.w).map(move |c| (r, c)))
            .map(|(r, c)| val(plane_src(m.at(r, c), plane)))
            .collect();
        let dense: Option<Vec<i64>> = v.iter().copied().collect();
        (v, dense)
    };
    let mut xs = HashMap::new();
    let mut ks = HashMap::new();
    let mut out = vec![None; (out_shape.h * out_shape.w) as usize];
    for img in 0..s.images {
        for (ti, &fh) in s.filters.iter().enumerate() {
            for f in 0..fh {
                let plane = s.out_plane(img, ti as u64, f);
                let base = (plane * width * windows) as usize;
                let acc = &mut out[base..base + (width * windows) as usize];
                for (y, j) in (0..width).flat_map(|y| (0..windows).map(move |j| (y, j))) {
                    acc[(y * windows + j) as usize] = if s.incoming {
                        val(Src::new(SrcKind::Psum, plane, y * windows + j))
                    } else {
                        Some(0)
                    };
                }
                for (ri, &ch) in s.channels.iter().enumerate() {
                    for c in 0..ch {
                        let ip = s.ifmap_plane(img, ri as u64, c);
                        let fp = s.filter_plane(ti as u64, f, ri as u64, c);
                        let xv = xs.entry(ip).or_insert_with(|| rows_of(x, lo, xh, ip));
                        let kv = ks.entry(fp).or_insert_with(|| rows_of(k, kr0, kh, fp));
                        for y in 0..width {
                            for j in 0..windows {
                                let slot = &mut acc[(y * windows + j) as usize];
                                if let (Some(xd), Some(kd), Some(mut sum)) = (&xv.1, &kv.1, *slot) {
                                    for kr in 0..kh {
                                        let r = kr + kr0 + (s.out_rows.0 + y) * stride.h - lo;
                                        let xrow = (r * x.w + j * stride.w) as usize;
                                        let krow = (kr * k.w) as usize;
                                        let n = k.w as usize;
                                        for (a, b) in
                                            xd[xrow..xrow + n].iter().zip(&kd[krow..krow + n])
                                        {
                                            sum += a * b;
                                        }
                                    }
                                    *slot = Some(sum);
                                    continue;
                                }
                                let (xv, kv) = (&xv.0, &kv.0);
                                for kr in 0..kh {
                                    let r = kr + kr0 + (s.out_rows.0 + y) * stride.h - lo;
                                    for i in 0..k.w {
                                        let a = xv[(r * x.w + j * stride.w + i) as usize];
                                        let b = kv[(kr * k.w + i) as usize];
                                        *slot = match (*slot, a, b) {
                                            (Some(s), Some(a), Some(b)) => Some(s + a * b),
                                            _ => None,
                                        };
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The reference of one output slice: the sum of its terms' references.
pub(super) fn reference_slice(
    m: &Module,
    kind: OutKind,
    (a, b): (u64, u64),
    seed: u64,
) -> Array2<i64> {
    let l = &m.layer;
    let (cg, fg) = (l.channels_per_group(), l.filters_per_group());
    let terms: Vec<(u64, u64, u64)> = match kind {
        OutKind::Ofmap => {
            let c0 = (b / fg.max(1)) * cg;
            (c0..c0 + cg).map(|c| (a, c, b)).collect()
        }
        OutKind::InputGrad => {
            let f0 = (b / cg.max(1)) * fg;
            (f0..f0 + fg).map(|f| (a, b, f)).collect()
        }
        OutKind::FilterGrad => (0..l.batch).map(|n| (n, b, a)).collect(),
    };
    let mut acc: Option<Array2<i64>> = None;
    for (n, c, f) in terms {
        let sl = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, n, c, f);
        let r = reference::reference(kind, l, &sl);
        acc = Some(match acc {
            Some(x) => x + &r,
            None => r,
        });
    }
    acc.unwrap_or_else(|| Array2::zeros((0, 0)))
}

//! Symbolic evaluation of the operand side of the graph: which layer element
//! (or inserted zero) sits at each position of a transformed tensor. The
//! row-stationary mapping preloads scratchpads from these matrices.

use super::{Graph, NodeId, Op, Src, SrcKind, TensorRole};

/// A dense row-major matrix of sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrcMatrix {
    pub h: u64,
    pub w: u64,
    pub data: Vec<Src>,
}

impl SrcMatrix {
    pub fn at(&self, r: u64, c: u64) -> Src {
        self.data[(r * self.w + c) as usize]
    }

    /// Columns `[c0, c1)` (clamped to the matrix), each source unchanged.
    pub fn columns(&self, c0: u64, c1: u64) -> SrcMatrix {
        let c1 = c1.min(self.w);
        let c0 = c0.min(c1);
        SrcMatrix::from_fn(self.h, c1 - c0, |r, c| self.at(r, c0 + c))
    }

    fn from_fn(h: u64, w: u64, f: impl Fn(u64, u64) -> Src) -> SrcMatrix {
        let mut data = Vec::with_capacity((h * w) as usize);
        for r in 0..h {
            for c in 0..w {
                data.push(f(r, c));
            }
        }
        SrcMatrix { h, w, data }
    }
}

/// Evaluates tensor `n`: a layer tensor, or pad/dilate/rotate/crop of one.
/// Returns `None` for a convolution result or a malformed graph.
pub fn eval(graph: &Graph, n: NodeId) -> Option<SrcMatrix> {
    let info = graph.tensor_info(n)?;
    let kind = match info.role {
        TensorRole::Ifmap => Some(SrcKind::Ifmap),
        TensorRole::Filter => Some(SrcKind::Filter),
        TensorRole::Error => Some(SrcKind::Error),
        _ => None,
    };
    if let Some(kind) = kind {
        let s = info.shape;
        return Some(SrcMatrix::from_fn(s.h, s.w, |r, c| Src::new(kind, r, c)));
    }
    let (op, operands) = graph.producer(n)?;
    let x = eval(graph, *operands.first()?)?;
    Some(match op {
        Op::Pad { amount: p } => SrcMatrix::from_fn(x.h + 2 * p.h, x.w + 2 * p.w, |r, c| {
            if r < p.h || c < p.w || r >= x.h + p.h || c >= x.w + p.w {
                Src::ZERO
            } else {
                x.at(r - p.h, c - p.w)
            }
        }),
        Op::Dilate { factor: f } => {
            SrcMatrix::from_fn((x.h - 1) * f.h + 1, (x.w - 1) * f.w + 1, |r, c| {
                if r % f.h == 0 && c % f.w == 0 {
                    x.at(r / f.h, c / f.w)
                } else {
                    Src::ZERO
                }
            })
        }
        Op::Rotate180 => SrcMatrix::from_fn(x.h, x.w, |r, c| x.at(x.h - 1 - r, x.w - 1 - c)),
        Op::Crop { amount: p } => {
            SrcMatrix::from_fn(x.h - 2 * p.h, x.w - 2 * p.w, |r, c| x.at(r + p.h, c + p.w))
        }
        Op::PadEnd { amount: p } => SrcMatrix::from_fn(x.h + p.h, x.w + p.w, |r, c| {
            if r >= x.h || c >= x.w {
                Src::ZERO
            } else {
                x.at(r, c)
            }
        }),
        Op::CropEnd { amount: p } => SrcMatrix::from_fn(x.h - p.h, x.w - p.w, |r, c| x.at(r, c)),
        Op::Conv2d { .. } => return None,
    })
}

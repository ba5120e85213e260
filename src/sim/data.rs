//! Deterministic, non-zero pseudo-random tensor data (language-v1 §4): the
//! value of every element is a hash of the seed, the tensor and the element's
//! coordinates, so it does not depend on the order anything is generated in.

use ndarray::Array2;

use crate::ir::{Src, SrcKind};
use crate::model::Hw;

/// Which layer tensor an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tensor {
    Ifmap,
    Filter,
    Error,
}

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Element value in -8..=8 without 0. `outer`/`inner` are the two leading
/// indices of the 4-D tensor (image and channel, filter and channel, or
/// image and filter).
pub fn value(seed: u64, t: Tensor, outer: u64, inner: u64, r: u64, c: u64) -> i64 {
    element(slice_hash(seed, t, outer, inner), r, c)
}

fn step(h: u64, v: u64) -> u64 {
    mix(h ^ v.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The hash of a value's seed, tensor and 2-D slice: the same for every
/// element of the slice, so a slice's elements share it.
fn slice_hash(seed: u64, t: Tensor, outer: u64, inner: u64) -> u64 {
    let h = mix(seed ^ 0x9e37_79b9_7f4a_7c15);
    [t as u64 + 1, outer, inner].into_iter().fold(h, step)
}

/// The value of element `(r, c)` of the slice hashed to `h`.
fn element(h: u64, r: u64, c: u64) -> i64 {
    let h = step(step(h, r), c);
    let mag = (h % 8) as i64 + 1;
    if (h >> 32) & 1 == 0 {
        mag
    } else {
        -mag
    }
}

/// The three 2-D slices one 2-D convolution of a pass works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slices {
    /// Unpadded input feature map (H x W).
    pub ifmap: Array2<i64>,
    /// Filter (R x S).
    pub filter: Array2<i64>,
    /// Output error (E x F).
    pub error: Array2<i64>,
}

impl Slices {
    /// Slices of image `n`, input channel `c` (within its group) and filter `m`.
    pub fn generate(seed: u64, ifmap: Hw, filter: Hw, ofmap: Hw, n: u64, c: u64, m: u64) -> Slices {
        let gen = |t: Tensor, shape: Hw, o: u64, i: u64| {
            let h = slice_hash(seed, t, o, i);
            Array2::from_shape_fn((shape.h as usize, shape.w as usize), |(r, cc)| {
                element(h, r as u64, cc as u64)
            })
        };
        Slices {
            ifmap: gen(Tensor::Ifmap, ifmap, n, c),
            filter: gen(Tensor::Filter, filter, m, c),
            error: gen(Tensor::Error, ofmap, n, m),
        }
    }

    /// The value a scratchpad source stands for.
    pub fn resolve(&self, s: Src) -> Option<i64> {
        let (r, c) = (s.r as usize, s.c as usize);
        match s.kind {
            SrcKind::Zero => Some(0),
            SrcKind::Ifmap => self.ifmap.get((r, c)).copied(),
            SrcKind::Filter => self.filter.get((r, c)).copied(),
            SrcKind::Error => self.error.get((r, c)).copied(),
            // No single 2-D convolution reads back a psum.
            SrcKind::Psum => None,
        }
    }
}

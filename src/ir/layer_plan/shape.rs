//! One processing pass as the plan describes it: the kernel and output
//! rows it covers and the images, filters and channels it holds, with the
//! numbering of its planes that the compiler, the binding of values and the
//! reference all use.

use crate::vocab::{Src, SrcKind};

/// Rows of one plane in the stacked sources: every source row of a layer
/// pass is below it (the limits keep layers far smaller).
pub const PLANE_ROWS: u64 = 1 << 16;

/// The source `s` of plane `plane` (zeros stay zeros).
pub fn plane_src(s: Src, plane: u64) -> Src {
    if s.is_zero() {
        return s;
    }
    Src::new(s.kind, plane * PLANE_ROWS + s.r as u64, s.c as u64)
}

/// The plane of a stacked source and the source within its slice.
pub fn split_src(s: Src) -> (u64, Src) {
    if s.is_zero() || s.kind == SrcKind::Psum {
        return (0, s);
    }
    let r = s.r as u64;
    (r / PLANE_ROWS, Src::new(s.kind, r % PLANE_ROWS, s.c as u64))
}

/// Rows or columns of fold `k` when `n` of them are cut into folds of
/// `size` (the last fold may be smaller): the one definition of a piece's
/// extent, shared by the layer model and the whole-layer simulation.
pub fn fold_range(k: u64, size: u64, n: u64) -> std::ops::Range<u64> {
    (k * size).min(n)..((k + 1) * size).min(n)
}

/// What one processing pass holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PassShape {
    /// Kernel rows `[x0, x1)` and output rows `[y0, y1)` of the piece.
    pub kernel_rows: (u64, u64),
    pub out_rows: (u64, u64),
    /// Images run one after another.
    pub images: u64,
    /// Per filter set: the filters it holds (at least one each).
    pub filters: Vec<u64>,
    /// Per channel set stacked in one column: the channels it holds. More
    /// than one only with `psum_across_sets`.
    pub channels: Vec<u64>,
    /// Partial sums of earlier passes return from the global buffer.
    pub incoming: bool,
}

impl PassShape {
    /// Filters and channels per PE (sets holding fewer channels add
    /// inserted-zero channels, so the stacked sets keep one timing).
    pub fn p(&self) -> u64 {
        self.filters.iter().copied().max().unwrap_or(1)
    }
    pub fn q(&self) -> u64 {
        self.channels.iter().copied().max().unwrap_or(1)
    }
    /// Ifmap plane of image `img`, channel set `ri`, channel `c`.
    pub fn ifmap_plane(&self, img: u64, ri: u64, c: u64) -> u64 {
        (img * self.channels.len() as u64 + ri) * self.q() + c
    }
    /// Filter plane of filter set `ti`, filter `f`, channel set `ri`, channel `c`.
    pub fn filter_plane(&self, ti: u64, f: u64, ri: u64, c: u64) -> u64 {
        ((ti * self.p() + f) * self.channels.len() as u64 + ri) * self.q() + c
    }
    /// Output plane of image `img`, filter set `ti`, filter `f`.
    pub fn out_plane(&self, img: u64, ti: u64, f: u64) -> u64 {
        (img * self.filters.len() as u64 + ti) * self.p() + f
    }
}

//! Where a processing pass's chains of PEs sit on the array and what
//! each PE row of a chain does, cycle by cycle (its control words).

use crate::ir::Slot;
use crate::ir::{PassShape, SrcMatrix, Word};
use crate::model::{Arch, Hw};

/// Why a processing pass cannot be built on the arch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoFit(pub String);

/// When each PE row of a chain does what. A window (one output column of
/// one image) runs its taps outer and its `p` filters inner, so a tap's
/// input value is used by every filter at once and its ring slot frees
/// early (the chip's p interleaving: p psums live in the psum scratchpad);
/// then each filter's psum takes the psum from below and goes up. Rows are
/// skewed by the adder latency so a psum arrives as the row above takes it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lay {
    pub(super) rows: u64,
    /// Windows: images x output columns.
    pub(super) windows: u64,
    /// Taps per window (q channels x kernel row) and filters.
    pub(super) taps: u64,
    pub(super) p: u64,
    /// Cycles between a filter's consecutive taps: at least the adder
    /// latency, so each tap finds the previous sum stored.
    pub(super) pp: u64,
    pub(super) period: u64,
    pub(super) mul: u64,
    pub(super) add: u64,
    pub(super) start: u64,
}

impl Lay {
    pub(super) fn min_period(taps: u64, p: u64, add: u64) -> u64 {
        taps * p.max(add) + p
    }
    pub(super) fn begin(&self, x: u64, w: u64) -> u64 {
        self.start + (self.rows - 1 - x) * self.add + w * self.period
    }
    /// Read of tap `u` of filter `f` in window `w`.
    pub(super) fn read(&self, x: u64, w: u64, u: u64, f: u64) -> u64 {
        self.begin(x, w) + u * self.pp + f
    }
    /// The cycle filter `f`'s psum of window `w` is read back (with the
    /// psum from below, except in the bottom row) to go up.
    pub(super) fn take(&self, x: u64, w: u64, f: u64) -> u64 {
        self.begin(x, w) + self.mul + self.taps * self.pp + f
    }
    pub(super) fn push(&self, x: u64, w: u64, f: u64) -> u64 {
        self.take(x, w, f) + self.add - 1
    }
    pub(super) fn length(&self) -> u64 {
        self.push(0, self.windows - 1, self.p - 1) + 2
    }
}

/// One column of stacked sets (one filter set) on the array.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chain {
    pub(super) ti: u64,
    /// Array position of its top-left PE.
    pub(super) row0: u64,
    pub(super) col0: u64,
    pub(super) filters: u64,
    pub(super) lay: Lay,
}

/// The pass's problem and where its chains sit.
pub(super) struct Geometry<'a> {
    pub(super) x: &'a SrcMatrix,
    pub(super) k: &'a SrcMatrix,
    pub(super) stride: Hw,
    pub(super) shape: &'a PassShape,
    /// Rows per set, taps per kernel row, windows per output row.
    pub(super) rp: u64,
    pub(super) taps: u64,
    pub(super) windows: u64,
    /// Columns of the array the pass uses.
    pub(super) cols: u64,
    pub(super) ring: u64,
    /// Sets of `p` psum slots windows rotate through (more than one when
    /// the psum scratchpad holds them: returning psums then have a longer
    /// window to arrive in).
    pub(super) banks: u64,
    pub(super) mul: u64,
    /// IN_PSUM queue entries.
    pub(super) depth: u64,
}

impl Geometry<'_> {
    pub(super) fn psum_slot(&self, w: u64, f: u64) -> u32 {
        ((w % self.banks) * self.shape.p() + f) as u32
    }
    pub(super) fn chain_rows(&self) -> u64 {
        self.rp * self.shape.channels.len() as u64
    }
    pub(super) fn width(&self) -> u64 {
        self.shape.out_rows.1 - self.shape.out_rows.0
    }
    pub(super) fn pe(&self, ch: &Chain, xx: u64, y: u64) -> u32 {
        ((ch.row0 + xx) * self.cols + ch.col0 + y) as u32
    }
    /// Window `j` of image `img`.
    pub(super) fn win(&self, img: u64, j: u64) -> u64 {
        img * self.windows + j
    }
    /// (first, last) read of input element `e` of image `img`, channel `c`
    /// by chain row `xx`, or `None` if no window reads it.
    pub(super) fn uses(&self, ch: &Chain, xx: u64, img: u64, c: u64, e: u64) -> Option<(u64, u64)> {
        let (s, taps) = (self.stride.w, self.taps);
        let lo = if e + 1 >= taps {
            (e + 1 - taps).div_ceil(s)
        } else {
            0
        };
        let hi = (e / s).min(self.windows - 1);
        if lo > hi {
            return None;
        }
        let first = ch.lay.read(xx, self.win(img, lo), c * taps + e - lo * s, 0);
        let last = ch
            .lay
            .read(xx, self.win(img, hi), c * taps + e - hi * s, ch.filters - 1);
        Some((first, last))
    }
    /// Stream index of input element `e` of image `img`: its ring slot is
    /// this modulo the ring.
    pub(super) fn stream(&self, img: u64, e: u64) -> u64 {
        img * self.x.w + e
    }
    /// When a ring slot frees for stream index `u` (read last by the
    /// previous occupant that some window reads), by chain row `xx`.
    pub(super) fn release(&self, ch: &Chain, xx: u64, c: u64, u: u64) -> u64 {
        let mut prev = u;
        while prev >= self.ring {
            prev -= self.ring;
            let (img, e) = (prev / self.x.w, prev % self.x.w);
            if let Some((_, last)) = self.uses(ch, xx, img, c, e) {
                return last + 1;
            }
        }
        0
    }
}

/// The chains of a pass at a window period and start.
pub(super) fn chains(
    g: &Geometry,
    arch: &Arch,
    period: u64,
    start: u64,
) -> Result<Vec<Chain>, NoFit> {
    let sh = g.shape;
    let per_col = (arch.array.h / g.chain_rows()).max(1);
    let sets = sh.filters.len() as u64;
    let col_groups = sets.div_ceil(per_col);
    if g.chain_rows() > arch.array.h || col_groups * g.width() > arch.array.w {
        return Err(NoFit(format!(
            "{sets} sets of {} x {} PEs do not fit the {} x {} array",
            g.chain_rows(),
            g.width(),
            arch.array.h,
            arch.array.w
        )));
    }
    Ok(sh
        .filters
        .iter()
        .enumerate()
        .map(|(ti, &filters)| {
            let ti = ti as u64;
            Chain {
                ti,
                row0: (ti % per_col) * g.chain_rows(),
                col0: (ti / per_col) * g.width(),
                filters,
                lay: Lay {
                    rows: g.chain_rows(),
                    windows: sh.images * g.windows,
                    taps: sh.q() * g.taps,
                    p: filters,
                    pp: sh.p().max(arch.pipeline_add),
                    period,
                    mul: arch.pipeline_mul,
                    add: arch.pipeline_add,
                    start,
                },
            }
        })
        .collect())
}

/// The words of one PE of a chain.
pub(super) fn words(g: &Geometry, ch: &Chain, xx: u64, y: u64, length: usize) -> Vec<Word> {
    let lay = &ch.lay;
    let (mul, add) = (g.mul as usize, lay.add as usize);
    let q = g.shape.q();
    let bottom = lay.rows - 1;
    let incoming = g.shape.incoming && xx == bottom;
    let mut w = vec![Word::default(); length];
    for img in 0..g.shape.images {
        for j in 0..g.windows {
            let win = g.win(img, j);
            for f in 0..ch.filters {
                let slot = Slot::new(g.psum_slot(win, f));
                for u in 0..lay.taps {
                    let (c, i) = (u / g.taps, u % g.taps);
                    let at = lay.read(xx, win, u, f) as usize;
                    let e = g.stream(img, j * g.stride.w + i);
                    w[at].ifm = Slot::new((c * g.ring + e % g.ring) as u32);
                    w[at].fil = Slot::new(((f * q + c) * g.taps + i) as u32);
                    if u > 0 {
                        w[at + mul].psum_rd = slot;
                    }
                    w[at + mul + add - 1].psum_wr = slot;
                }
                // The sum is read back to go up, with the psum from below
                // (above the bottom row) or from the global buffer (the
                // bottom row of a pass that continues earlier sums) added.
                let take = lay.take(xx, win, f) as usize;
                w[take].psum_rd = slot;
                w[take].take_in = xx != bottom || incoming;
                let push = lay.push(xx, win, f) as usize;
                w[push].push = true;
                if xx == 0 {
                    let plane = g.shape.out_plane(img, ch.ti, f);
                    let o = (plane * g.width() + y) * g.windows + j;
                    w[push + 1].out = Slot::new(o as u32);
                }
            }
        }
    }
    w
}

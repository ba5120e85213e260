//! The one loop nest over a layer's processing passes: per group, column
//! strip, image block, filter block, channel block, fold of kernel rows and
//! chunk of kernel columns, outer first. It is walked two ways:
//!
//! - by kind ([`LayerPlan::kinds`]): one pass of each kind with how many
//!   times it runs, without listing the passes one by one (the default
//!   mode simulates each distinct pass once);
//! - in running order ([`LayerPlan::sequences`], [`LayerPlan::steps`]):
//!   every pass, each naming its kind (full mode runs them all; the memory
//!   timeline places each one's transfers).
//!
//! Two passes are of one kind when they sit in the same strip, fold and
//! chunk and their image, filter and channel blocks have the same sizes
//! (and the channel block is first, between or last alike). A kind's index
//! is its position in the walk by kind, so both walks number kinds alike.

use super::shape::{fold_range, PassShape};
use super::{LayerPlan, MAX_TIMELINE_PASSES};

/// One block of one level of the nest.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// Its position along the level (running order), or its kind's first
    /// block (walk by kind).
    index: u64,
    lo: u64,
    hi: u64,
    /// The kind of block it is, and how many blocks of the level it
    /// stands for (1 in running order).
    kind: usize,
    times: u64,
}

/// How a level is listed: every block, or one per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    Kinds,
    Order,
}

/// The levels, outer first: group, strip, images, filters, channels, fold,
/// chunk.
const LEVELS: usize = 7;
/// The levels above the channel blocks: one sequence of passes carries
/// psums through each of their combinations.
const OUTER: usize = 4;

/// One processing pass of the layer.
#[derive(Debug, Clone)]
pub struct PassJob {
    pub group: u64,
    pub images: (u64, u64),
    pub filters: (u64, u64),
    pub channels: (u64, u64),
    /// The last contribution to its outputs: it writes the layer's
    /// outputs, the others psums.
    pub last: bool,
    /// Its chunk of kernel columns (`Blocking::chunks`).
    pub chunk: u64,
    pub shape: PassShape,
}

/// One processing pass of the layer, in running order, as the memory
/// timeline needs it: without its program or values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassStep {
    /// The pass's cycles on the array (start, windows and drain).
    pub cycles: u64,
    /// Its distinct pass, the index of its global-buffer accesses in the
    /// simulation's bank traces.
    pub kind: u32,
    /// Elements the pass writes to the global buffer: psums for a later
    /// pass, or the layer's outputs when `last`.
    pub outputs: u64,
    pub group: u32,
    pub strip: u32,
    pub image_block: u32,
    pub filter_block: u32,
    pub channel_block: u32,
    pub fold: u32,
    /// Images, filters and channels the pass holds.
    pub images: u64,
    pub filters: u64,
    pub channels: u64,
    /// It continues psums of an earlier pass.
    pub incoming: bool,
    /// It writes the layer's outputs.
    pub last: bool,
}

/// Splits `count` items into at most `sets` sets of `ceil(count / sets)`.
fn split(count: u64, sets: u64) -> Vec<u64> {
    let sets = sets.clamp(1, count.max(1));
    let per = count.div_ceil(sets);
    let mut out = Vec::new();
    let mut left = count;
    while left > 0 {
        out.push(per.min(left));
        left -= per.min(left);
    }
    out
}

/// The blocks of `d` items in blocks of `b`, each with its kind: the full
/// blocks share kind 0, a short last block has its own.
fn every_block(d: u64, b: u64) -> Vec<Block> {
    let b = b.max(1);
    let full = d / b;
    (0..d.div_ceil(b))
        .map(|k| Block {
            index: k,
            lo: k * b,
            hi: ((k + 1) * b).min(d),
            kind: usize::from(full > 0 && k >= full),
            times: 1,
        })
        .collect()
}

/// The first block of each size of `d` items in blocks of `b`, with how
/// many blocks have that size.
fn block_kinds(d: u64, b: u64) -> Vec<Block> {
    let b = b.max(1);
    let full = d / b;
    let mut out = Vec::new();
    if full > 0 {
        out.push((0, b, full));
    }
    if !d.is_multiple_of(b) {
        out.push((full * b, d, 1));
    }
    out.into_iter()
        .enumerate()
        .map(|(kind, (lo, hi, times))| Block {
            index: lo / b,
            lo,
            hi,
            kind,
            times,
        })
        .collect()
}

/// Channel blocks of `block` channels out of `nc`: the first (no psums to
/// continue), those between, and the last (its passes write the layer's
/// outputs) are three kinds.
fn channel_blocks(walk: Walk, block: u64, nc: u64) -> Vec<Block> {
    let cb = block.max(1);
    let nb = nc.div_ceil(cb);
    let kind_of = |ci: u64| match ci {
        0 => 0,
        _ if ci + 1 == nb => usize::from(nb > 2) + 1,
        _ => 1,
    };
    match walk {
        Walk::Order => (0..nb)
            .map(|ci| Block {
                index: ci,
                lo: ci * cb,
                hi: ((ci + 1) * cb).min(nc),
                kind: kind_of(ci),
                times: 1,
            })
            .collect(),
        Walk::Kinds => {
            let mut kinds = vec![(0, 1)];
            if nb > 2 {
                kinds.push((1, nb - 2));
            }
            if nb > 1 {
                kinds.push((nb - 1, 1));
            }
            kinds
                .into_iter()
                .map(|(ci, times)| Block {
                    index: ci,
                    lo: ci * cb,
                    hi: ((ci + 1) * cb).min(nc),
                    kind: kind_of(ci),
                    times,
                })
                .collect()
        }
    }
}

/// `n` blocks of their own kind each (strips, folds, chunks).
fn each_own(n: u64) -> Vec<Block> {
    (0..n)
        .map(|i| Block {
            index: i,
            lo: i,
            hi: i + 1,
            kind: i as usize,
            times: 1,
        })
        .collect()
}

impl LayerPlan {
    /// Processing passes of the whole layer.
    pub fn passes(&self) -> u128 {
        let (d, b, c) = (&self.convs, &self.blocking, &self.cuts);
        [
            d.groups,
            c.strips,
            d.images.div_ceil(b.n.max(1)),
            d.filters.div_ceil((b.p * b.t).max(1)),
            d.channels.div_ceil(c.channel_block.max(1)),
            c.folds,
            c.chunks,
        ]
        .iter()
        .fold(1u128, |a, &v| a * v as u128)
    }

    fn levels(&self, walk: Walk) -> [Vec<Block>; LEVELS] {
        let (d, b, c) = (&self.convs, &self.blocking, &self.cuts);
        let (images, filters) = match walk {
            Walk::Kinds => (
                block_kinds(d.images, b.n),
                block_kinds(d.filters, b.p * b.t),
            ),
            Walk::Order => (
                every_block(d.images, b.n),
                every_block(d.filters, b.p * b.t),
            ),
        };
        let groups = match walk {
            Walk::Kinds => vec![Block {
                index: 0,
                lo: 0,
                hi: 1,
                kind: 0,
                times: d.groups,
            }],
            Walk::Order => (0..d.groups)
                .map(|g| Block {
                    index: g,
                    lo: g,
                    hi: g + 1,
                    kind: 0,
                    times: 1,
                })
                .collect(),
        };
        [
            groups,
            each_own(c.strips),
            images,
            filters,
            channel_blocks(walk, c.channel_block, d.channels),
            each_own(c.folds),
            each_own(c.chunks),
        ]
    }

    /// Visits every combination of the levels' blocks, innermost last,
    /// with its kind's index.
    fn walk(&self, walk: Walk, mut visit: impl FnMut(&[Block; LEVELS], usize)) {
        let levels = self.levels(walk);
        if levels.iter().any(Vec::is_empty) {
            return;
        }
        // The number of kinds at each level, the radices of a kind's index.
        let radix = self.levels(Walk::Kinds).map(|l| l.len().max(1));
        let mut at = [0usize; LEVELS];
        loop {
            let blocks: [Block; LEVELS] = std::array::from_fn(|i| levels[i][at[i]]);
            let kind = (0..LEVELS).fold(0, |k, i| k * radix[i] + blocks[i].kind);
            visit(&blocks, kind);
            let mut i = LEVELS;
            loop {
                if i == 0 {
                    return;
                }
                i -= 1;
                at[i] += 1;
                if at[i] < levels[i].len() {
                    break;
                }
                at[i] = 0;
            }
        }
    }

    /// The pass at one combination of blocks.
    fn job(&self, [g, s, i, f, ch, fold, chunk]: &[Block; LEVELS]) -> PassJob {
        let (d, b, c) = (&self.convs, &self.blocking, &self.cuts);
        let rows = fold_range(s.index, c.strip_w, c.out_rows);
        let kr = fold_range(fold.index, c.fold_h, self.k.h);
        let (fb, cb) = (f.hi - f.lo, ch.hi - ch.lo);
        PassJob {
            group: g.index,
            images: (i.lo, i.hi),
            filters: (f.lo, f.hi),
            channels: (ch.lo, ch.hi),
            last: ch.hi == d.channels && fold.index + 1 == c.folds && chunk.index + 1 == c.chunks,
            chunk: chunk.index,
            shape: PassShape {
                kernel_rows: (kr.start, kr.end),
                out_rows: (rows.start, rows.end),
                images: i.hi - i.lo,
                filters: split(fb, b.t.min(fb.div_ceil(b.p))),
                channels: if b.stack {
                    split(cb, b.r.min(cb.div_ceil(b.q)))
                } else {
                    vec![cb]
                },
                incoming: ch.index > 0 || fold.index > 0 || chunk.index > 0,
            },
        }
    }

    /// One pass of each kind the layer runs, with how many times it runs,
    /// in the order of the kinds' indices.
    pub fn kinds(&self) -> Vec<(PassJob, u128)> {
        let mut out = Vec::new();
        self.walk(Walk::Kinds, |blocks, _| {
            let times = blocks.iter().fold(1u128, |a, b| a * b.times as u128);
            out.push((self.job(blocks), times));
        });
        out
    }

    /// The layer's processing passes in the order they run, each with its
    /// kind, as sequences that carry psums from one pass to the next (one
    /// sequence per group, strip, image block and filter block). Callers
    /// bound [`LayerPlan::passes`] first: this lists every one.
    pub fn sequences(&self) -> Vec<Vec<(PassJob, usize)>> {
        let mut seqs: Vec<Vec<(PassJob, usize)>> = Vec::new();
        let mut last_outer = None;
        self.walk(Walk::Order, |blocks, kind| {
            let outer: [u64; OUTER] = std::array::from_fn(|i| blocks[i].index);
            if last_outer != Some(outer) {
                seqs.push(Vec::new());
                last_outer = Some(outer);
            }
            if let Some(seq) = seqs.last_mut() {
                seq.push((self.job(blocks), kind));
            }
        });
        seqs
    }

    /// The passes in running order, `run(kind, position)` giving each its
    /// cycles and distinct pass; `None` when there are more than
    /// [`MAX_TIMELINE_PASSES`].
    pub fn steps(&self, mut run: impl FnMut(usize, usize) -> (u64, u32)) -> Option<Vec<PassStep>> {
        let total = self.passes();
        if total > MAX_TIMELINE_PASSES {
            return None;
        }
        let windows = (self.x.w - self.k.w) / self.stride.w + 1;
        let mut out = Vec::with_capacity(total as usize);
        self.walk(Walk::Order, |blocks, kind| {
            let j = self.job(blocks);
            let [g, s, i, f, ch, fold, _] = blocks;
            let (ni, nf) = (i.hi - i.lo, f.hi - f.lo);
            let rows = j.shape.out_rows.1 - j.shape.out_rows.0;
            let (cycles, kind) = run(kind, out.len());
            out.push(PassStep {
                cycles,
                kind,
                outputs: ni * nf * rows * windows,
                group: g.index as u32,
                strip: s.index as u32,
                image_block: i.index as u32,
                filter_block: f.index as u32,
                channel_block: ch.index as u32,
                fold: fold.index as u32,
                images: ni,
                filters: nf,
                channels: ch.hi - ch.lo,
                incoming: j.shape.incoming,
                last: j.last,
            });
        });
        Some(out)
    }
}

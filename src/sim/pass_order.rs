//! The layer's processing passes in the order they run, one compact step
//! each: what the memory timeline (`cost::layer::timeline`) needs to place
//! each pass's DRAM transfers, without the passes' programs or values.
//!
//! The order is the loop nest of `whole_layer::sequences` (per group:
//! strip, image block, filter block, channel block, kernel-row fold,
//! chunk of kernel columns), and
//! each step names the kind of pass (`whole_layer::pass_kinds`) it is, so
//! the default mode can take a step's cycles from the one simulated pass
//! of its kind.

use super::whole_layer::{block_kinds, channel_kinds, cuts};
use super::{Blocking, Dims};
use crate::ir::SrcMatrix;
use crate::model::Hw;
use crate::passes::fold_range;

/// One processing pass of the layer, in running order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassStep {
    /// The pass's cycles on the array (start, windows and drain).
    pub cycles: u64,
    /// Its distinct pass, the index of its global-buffer accesses in
    /// `LayerSimulation::bank_traces`.
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

/// Most passes the layer's order is listed for (a step is 80 bytes);
/// beyond it the memory timeline is not built and the DRAM link bounds
/// the layer as a whole.
pub const MAX_TIMELINE_PASSES: u128 = 1 << 18;

/// The passes in running order, each with the index of its kind in
/// `whole_layer::pass_kinds`, and `run(kind, position)` as its cycles and
/// distinct pass; `None` when there are more than [`MAX_TIMELINE_PASSES`].
pub fn steps(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    d: Dims,
    b: &Blocking,
    mut run: impl FnMut(usize, usize) -> (u64, u32),
) -> Option<Vec<PassStep>> {
    let c = cuts(x, k, stride, b);
    let images = block_kinds(d.images, b.n);
    let filters = block_kinds(d.filters, b.p * b.t);
    let channel_kinds = channel_kinds(c.channel_block, d.channels);
    let cb = c.channel_block.max(1);
    let (nib, nfb, ncb) = (
        d.images.div_ceil(b.n.max(1)),
        d.filters.div_ceil((b.p * b.t).max(1)),
        d.channels.div_ceil(cb),
    );
    let total = [d.groups, c.strips, nib, nfb, ncb, c.folds, c.chunks]
        .iter()
        .fold(1u128, |a, &v| a * v as u128);
    if total > MAX_TIMELINE_PASSES {
        return None;
    }
    // The kind of block `i` of a dimension: the full blocks share the
    // first kind, a short last block has its own.
    let kind_of = |kinds: &[(u64, u64, u64)], i: u64| -> usize {
        if kinds.len() > 1 && i >= kinds[0].2 {
            1
        } else {
            0
        }
    };
    let channel_kind = |ci: u64| -> usize {
        match ci {
            0 => 0,
            _ if ci + 1 == ncb => channel_kinds.len() - 1,
            _ => 1,
        }
    };
    let windows = (x.w - k.w) / stride.w + 1;
    let mut out = Vec::with_capacity(total as usize);
    for group in 0..d.groups {
        for s in 0..c.strips {
            let rows = fold_range(s, c.strip_w, c.out_rows);
            for ib in 0..nib {
                let ni = (d.images - ib * b.n).min(b.n);
                for fb in 0..nfb {
                    let nf = (d.filters - fb * b.p * b.t).min(b.p * b.t);
                    for ci in 0..ncb {
                        let nc = (d.channels - ci * cb).min(cb);
                        for (fold, chunk) in
                            (0..c.folds).flat_map(|f| (0..c.chunks).map(move |h| (f, h)))
                        {
                            let kind = (((((s as usize * images.len() + kind_of(&images, ib))
                                * filters.len()
                                + kind_of(&filters, fb))
                                * channel_kinds.len()
                                + channel_kind(ci))
                                * c.folds as usize
                                + fold as usize)
                                * c.chunks as usize)
                                + chunk as usize;
                            let (cycles, kind) = run(kind, out.len());
                            out.push(PassStep {
                                cycles,
                                kind,
                                outputs: ni * nf * (rows.end - rows.start) * windows,
                                group: group as u32,
                                strip: s as u32,
                                image_block: ib as u32,
                                filter_block: fb as u32,
                                channel_block: ci as u32,
                                fold: fold as u32,
                                images: ni,
                                filters: nf,
                                channels: nc,
                                incoming: ci > 0 || fold > 0 || chunk > 0,
                                last: ci + 1 == ncb && fold + 1 == c.folds && chunk + 1 == c.chunks,
                            });
                        }
                    }
                }
            }
        }
    }
    Some(out)
}

//! The plan of a layer's processing passes, built once from the module and
//! its mapping: the operands of the layer's 2-D convolution, how the
//! mapping blocks it (`Blocking`) and where the passes sit (`Cuts`), and
//! one loop nest over the passes (`nest.rs`) that serves the default mode
//! (the distinct passes and their counts), full mode (the sequences) and
//! the memory timeline (the running order). The role swaps of transposed
//! and dilated passes are made once: in `passes::select`'s graph (which
//! the operands are evaluated from) and in `roles.rs` (which layer tensor
//! each plane of a pass binds to).
//!
//! The plan is data; the compiler (`passes::rs_pass`) builds each pass's
//! program from it, the simulator runs the programs it is given, and the
//! cost model's timeline places each pass's transfers.

mod distinct;
mod nest;
mod roles;
mod shape;

pub use distinct::Distinct;
pub use nest::{PassJob, PassStep};
pub use roles::{block_count, blocks, Convs};
pub use shape::{fold_range, plane_src, split_src, PassShape, PLANE_ROWS};

use super::{eval, Module, SrcMatrix};
use crate::model::Hw;

/// Most passes the layer's running order is listed for (a step is 80
/// bytes); beyond it the memory timeline is not built and the DRAM link
/// bounds the layer as a whole.
pub const MAX_TIMELINE_PASSES: u128 = 1 << 18;

/// The blocking the mapping search chooses for a layer pass (docs/layer-model.md):
/// n images, p filters and q channels share a PE set's scratchpads; r sets
/// work on different channels and t on different filters; `e` output rows
/// per strip; the global buffer's ifmap/psum bank split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Mapping {
    pub n: u64,
    pub p: u64,
    pub q: u64,
    pub r: u64,
    pub t: u64,
    /// Strip width: PE-set columns per piece.
    pub e: u64,
    pub ifmap_banks: u64,
    pub psum_banks: u64,
}

impl std::fmt::Display for Mapping {
    /// `n=.. p=.. q=.. r=.. t=.. e=.. ifmap_banks=.. psum_banks=..`, as the
    /// text report and the CSV print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={} p={} q={} r={} t={} e={} ifmap_banks={} psum_banks={}",
            self.n, self.p, self.q, self.r, self.t, self.e, self.ifmap_banks, self.psum_banks
        )
    }
}

/// How the mapping blocks the layer (the mapping search's fields, with the
/// strips, pieces and chunks the allocation cut).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking {
    pub n: u64,
    pub p: u64,
    pub q: u64,
    pub r: u64,
    pub t: u64,
    /// Output rows per strip (PE-set columns of a piece).
    pub strip: u64,
    /// Kernel rows per piece (the set's rows folded onto the array).
    pub piece_rows: u64,
    /// Kernel rows longer than the ifmap scratchpad holds are cut into
    /// this many chunks of columns (1: whole rows); each chunk is a pass of
    /// its own, continuing the psums of the chunk before it.
    pub chunks: u64,
    /// The r channel sets stack in one column and add their psums inside
    /// the array (`psum_across_sets`); otherwise r must be 1.
    pub stack: bool,
}

/// Where the passes of a layer sit: strips of output rows and folds of
/// kernel rows, and the channels one pass holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cuts {
    pub strips: u64,
    pub strip_w: u64,
    pub folds: u64,
    pub fold_h: u64,
    pub out_rows: u64,
    pub channel_block: u64,
    /// Chunks of kernel columns, and the columns of each but the last.
    pub chunks: u64,
    pub chunk_w: u64,
}

/// The layer's processing passes as data.
#[derive(Debug, Clone)]
pub struct LayerPlan {
    /// The 2-D convolution every pass computes a piece of: its ifmap-side
    /// and filter-side operands (one slice each, sources named) and stride.
    pub x: SrcMatrix,
    pub k: SrcMatrix,
    pub stride: Hw,
    pub convs: Convs,
    pub blocking: Blocking,
    pub cuts: Cuts,
    /// The operands of each chunk of kernel columns.
    pub chunk_operands: Vec<(SrcMatrix, SrcMatrix)>,
}

impl LayerPlan {
    /// The plan of module `m`'s layer under a blocking, or why the module
    /// has no 2-D convolution to plan.
    pub fn of(m: &Module, convs: Convs, blocking: Blocking) -> Result<LayerPlan, String> {
        let g = m.graph.as_ref().ok_or("no graph")?;
        let (stride, xn, kn, _) = g.conv().ok_or("the graph has no conv2d")?;
        let x = eval(g, xn).ok_or("conv input is not evaluable")?;
        let k = eval(g, kn).ok_or("conv kernel is not evaluable")?;
        let cuts = cuts(&x, &k, stride, &blocking);
        let chunk_operands = chunk_operands(&x, &k, stride, &cuts);
        Ok(LayerPlan {
            x,
            k,
            stride,
            convs,
            blocking,
            cuts,
            chunk_operands,
        })
    }

    /// Windows (output columns) of every pass.
    pub fn windows(&self) -> u64 {
        (self.x.w - self.k.w) / self.stride.w + 1
    }

    /// Output rows of the layer's 2-D convolution.
    pub fn out_rows(&self) -> u64 {
        self.cuts.out_rows
    }

    /// The operands of a pass's chunk of kernel columns.
    pub fn operands_of(&self, j: &PassJob) -> &(SrcMatrix, SrcMatrix) {
        &self.chunk_operands[j.chunk as usize]
    }
}

fn cuts(x: &SrcMatrix, k: &SrcMatrix, stride: Hw, b: &Blocking) -> Cuts {
    let out_rows = (x.h - k.h) / stride.h + 1;
    let strips = out_rows.div_ceil(b.strip.max(1));
    let folds = k.h.div_ceil(b.piece_rows.max(1));
    // Chunks of equal width but the last; 4 columns asked in 3 chunks are
    // 2 chunks of 2 (a third would be empty).
    let chunk_w = k.w.max(1).div_ceil(b.chunks.clamp(1, k.w.max(1)));
    Cuts {
        chunks: k.w.max(1).div_ceil(chunk_w),
        chunk_w,
        strips,
        strip_w: out_rows.div_ceil(strips),
        folds,
        fold_h: k.h.div_ceil(folds),
        out_rows,
        channel_block: b.q * if b.stack { b.r } else { 1 },
    }
}

/// The operands of each chunk of kernel columns: the kernel's columns of
/// the chunk, and the input columns its windows read (every source keeps
/// its place in the layer, so values and references bind unchanged).
fn chunk_operands(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    c: &Cuts,
) -> Vec<(SrcMatrix, SrcMatrix)> {
    let windows = (x.w - k.w) / stride.w + 1;
    (0..c.chunks)
        .map(|i| {
            let cols = fold_range(i, c.chunk_w, k.w);
            let reach = (windows - 1) * stride.w + (cols.end - cols.start);
            (
                x.columns(cols.start, cols.start + reach),
                k.columns(cols.start, cols.end),
            )
        })
        .collect()
}

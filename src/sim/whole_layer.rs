//! The whole layer of a row-stationary pass simulated cycle by cycle on the
//! physical array: the layer is lowered into the sequence of processing
//! passes its mapping implies (per group: column strip, image block, filter
//! block, channel block, row fold, chunk of kernel columns, outer first),
//! each pass is built and lowered to bytecode by `passes::rs_pass`, run
//! on the machine, and
//! the passes run one after another. Partial sums a pass leaves in the
//! global buffer return in the next pass of the same outputs over the psum
//! network.
//!
//! The default simulates each distinct pass once and counts it as many
//! times as it occurs: two passes are identical when their shape and the
//! positions of inserted zeros they read are equal, because the program,
//! the delivery timeline and the start state (empty scratchpads) depend on
//! nothing else; only the values differ. `full` simulates every pass with
//! the layer's own values, psums carried from pass to pass, and checks
//! every output of the layer against the ndarray reference.

use std::collections::HashMap;

use ndarray::Array2;
use serde::Serialize;

use super::data::{value, Slices, Tensor};
use super::glb_banks::BankTrace;
use super::pass_order::{self, PassStep};
use super::{reference, ArrayParams, Machine, Mismatch, PhysicalStats, Run};
use crate::bytecode::{verify_structure, VerifyError};
use crate::ir::{Module, OutKind, Src, SrcKind, SrcMatrix};
use crate::model::{Arch, Hw};
use crate::options::PassKind;
use crate::passes::{fold_range, rs_pass, split_src, PassShape};

/// How the mapping blocks the layer (the mapping search's fields).
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

/// The 2-D convolutions of the pass, per group (as `cost::layer::Convs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub groups: u64,
    pub images: u64,
    pub filters: u64,
    pub channels: u64,
}

/// What the simulation of a whole layer counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerSimulation {
    /// `sample`: each distinct processing pass simulated once; `full`:
    /// every pass with the layer's values.
    pub mode: &'static str,
    /// Cycles of the layer: its processing passes one after another.
    pub cycles: u64,
    /// Of them: waiting for the first data of a pass (its start), windows
    /// stretched beyond their minimum because a network could not keep up,
    /// and outputs draining after the last window.
    pub start_cycles: u64,
    pub stretch_cycles: u64,
    pub drain_cycles: u64,
    pub processing_passes: u64,
    pub passes_simulated: u64,
    pub distinct_passes: u64,
    /// Largest number of PEs a pass used.
    pub active_pes: u64,
    pub macs: u64,
    pub zero_macs: u64,
    /// Elements the global buffer sent on each network (one per
    /// multicast) and received from the array (psums and outputs).
    pub glb_ifmap_reads: u64,
    pub glb_filter_reads: u64,
    pub glb_psum_reads: u64,
    /// Partial sums written to the global buffer for a later pass, and
    /// the layer's outputs (written by the last pass of each output).
    pub glb_psum_writes: u64,
    pub glb_ofmap_writes: u64,
    /// Scratchpad entries the ifmap and filter networks wrote (a multicast
    /// to k PEs counts k).
    pub ifmap_arrivals: u64,
    pub filter_arrivals: u64,
    /// Inserted zeros PEs wrote themselves.
    pub local_fills: u64,
    /// Scratchpad accesses, additions and psums moved up a column (the
    /// local psum network), summed over every PE of every pass.
    pub rf: RfCounts,
    pub adds: u64,
    pub psum_hops: u64,
    pub verified: bool,
    /// Output elements checked: every output of the layer in `full`, each
    /// simulated pass's outputs in `sample`.
    pub verified_outputs: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
    /// The passes in running order, for the memory timeline (`None` when
    /// the layer has more than `MAX_TIMELINE_PASSES`).
    #[serde(skip)]
    pub steps: Option<Vec<PassStep>>,
    /// The global-buffer accesses of each distinct pass (`PassStep::kind`
    /// indexes them), for the bank stalls of each bank split.
    #[serde(skip)]
    pub bank_traces: Vec<BankTrace>,
    /// The layer's first processing pass as it ran (`physical_stats`).
    #[serde(skip)]
    pub first_pass: Option<PhysicalStats>,
}

/// Reads and writes of each scratchpad.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RfCounts {
    pub ifmap_reads: u64,
    pub ifmap_writes: u64,
    pub filter_reads: u64,
    pub filter_writes: u64,
    pub psum_reads: u64,
    pub psum_writes: u64,
}

/// Why a layer is not simulated whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotSimulated {
    #[error("{0}")]
    Unsupported(String),
    #[error("processing pass {pass}: {what}")]
    NoFit { pass: String, what: String },
    #[error("processing pass {pass}: simulation stopped: {what}")]
    Broken { pass: String, what: String },
    #[error("{0}")]
    TooLarge(String),
}

/// One processing pass of the layer.
#[derive(Debug, Clone)]
struct PassJob {
    group: u64,
    images: (u64, u64),
    filters: (u64, u64),
    channels: (u64, u64),
    /// The last contribution to its outputs: it writes the layer's
    /// outputs, the others psums.
    last: bool,
    /// Its chunk of kernel columns (`Blocking::chunks`).
    chunk: u64,
    shape: PassShape,
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

/// Blocks `[start, end)` of `d` items in blocks of `b`.
fn blocks(d: u64, b: u64) -> Vec<(u64, u64)> {
    let b = b.max(1);
    (0..d.div_ceil(b))
        .map(|k| (k * b, ((k + 1) * b).min(d)))
        .collect()
}

/// Where the passes of a layer sit: strips of output rows and folds of
/// kernel rows, and the channels one pass holds.
pub(super) struct Cuts {
    pub(super) strips: u64,
    pub(super) strip_w: u64,
    pub(super) folds: u64,
    pub(super) fold_h: u64,
    pub(super) out_rows: u64,
    pub(super) channel_block: u64,
    /// Chunks of kernel columns, and the columns of each but the last.
    pub(super) chunks: u64,
    pub(super) chunk_w: u64,
}

pub(super) fn cuts(x: &SrcMatrix, k: &SrcMatrix, stride: Hw, b: &Blocking) -> Cuts {
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

#[allow(clippy::too_many_arguments)]
fn job(
    k: &SrcMatrix,
    c: &Cuts,
    b: &Blocking,
    group: u64,
    s: u64,
    images: (u64, u64),
    filters: (u64, u64),
    channels: (u64, u64),
    first_channels: bool,
    (fold, chunk): (u64, u64),
    last: bool,
) -> PassJob {
    let rows = fold_range(s, c.strip_w, c.out_rows);
    let kr = fold_range(fold, c.fold_h, k.h);
    let fb = filters.1 - filters.0;
    let cb = channels.1 - channels.0;
    PassJob {
        group,
        images,
        filters,
        channels,
        last,
        chunk,
        shape: PassShape {
            kernel_rows: (kr.start, kr.end),
            out_rows: (rows.start, rows.end),
            images: images.1 - images.0,
            filters: split(fb, b.t.min(fb.div_ceil(b.p))),
            channels: if b.stack {
                split(cb, b.r.min(cb.div_ceil(b.q)))
            } else {
                vec![cb]
            },
            incoming: !first_channels || fold > 0 || chunk > 0,
        },
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

/// The first block of each size of a dimension, with how many blocks
/// have that size: `(start, end, count)`.
pub(super) fn block_kinds(d: u64, b: u64) -> Vec<(u64, u64, u64)> {
    let b = b.max(1);
    let full = d / b;
    let mut out = Vec::new();
    if full > 0 {
        out.push((0, b, full));
    }
    if !d.is_multiple_of(b) {
        out.push((full * b, d, 1));
    }
    out
}

/// Channel blocks of `block` channels out of `nc`, by kind: the first
/// (no psums to continue), those between, and the last (its passes write
/// the layer's outputs): `(start, end, first, count)`.
pub(super) fn channel_kinds(block: u64, nc: u64) -> Vec<(u64, u64, bool, u64)> {
    let cb = block.max(1);
    let nb = nc.div_ceil(cb);
    let mut kinds = vec![(0, cb.min(nc), true, 1)];
    if nb > 2 {
        kinds.push((cb, 2 * cb, false, nb - 2));
    }
    if nb > 1 {
        kinds.push(((nb - 1) * cb, nc, false, 1));
    }
    kinds
}

/// One pass of each kind the layer runs, with how many times it runs:
/// the count of a (strip, fold, block sizes, first channel block or not)
/// combination, without listing the passes one by one.
fn pass_kinds(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    d: Dims,
    b: &Blocking,
) -> Vec<(PassJob, u128)> {
    let c = cuts(x, k, stride, b);
    let mut out = Vec::new();
    let channel_kinds = channel_kinds(c.channel_block, d.channels);
    for s in 0..c.strips {
        for &(i0, i1, ni) in &block_kinds(d.images, b.n) {
            for &(f0, f1, nf) in &block_kinds(d.filters, b.p * b.t) {
                for &(c0, c1, first, nc) in &channel_kinds {
                    for fold in 0..c.folds {
                        for chunk in 0..c.chunks {
                            let last =
                                c1 == d.channels && fold + 1 == c.folds && chunk + 1 == c.chunks;
                            let j = job(
                                k,
                                &c,
                                b,
                                0,
                                s,
                                (i0, i1),
                                (f0, f1),
                                (c0, c1),
                                first,
                                (fold, chunk),
                                last,
                            );
                            let times = d.groups as u128 * ni as u128 * nf as u128 * nc as u128;
                            out.push((j, times));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The layer's processing passes, in the order they run, as sequences
/// that carry psums from one pass to the next (one sequence per group,
/// strip, image block and filter block).
fn sequences(x: &SrcMatrix, k: &SrcMatrix, stride: Hw, d: Dims, b: &Blocking) -> Vec<Vec<PassJob>> {
    let c = cuts(x, k, stride, b);
    let mut seqs = Vec::new();
    for group in 0..d.groups {
        for s in 0..c.strips {
            for images in blocks(d.images, b.n) {
                for filters in blocks(d.filters, b.p * b.t) {
                    let mut seq = Vec::new();
                    for (ci, channels) in
                        blocks(d.channels, c.channel_block).into_iter().enumerate()
                    {
                        for fold in 0..c.folds {
                            for chunk in 0..c.chunks {
                                let last = channels.1 == d.channels
                                    && fold + 1 == c.folds
                                    && chunk + 1 == c.chunks;
                                seq.push(job(
                                    k,
                                    &c,
                                    b,
                                    group,
                                    s,
                                    images,
                                    filters,
                                    channels,
                                    ci == 0,
                                    (fold, chunk),
                                    last,
                                ));
                            }
                        }
                    }
                    seqs.push(seq);
                }
            }
        }
    }
    seqs
}

/// What makes two passes identical: the shape up to where the strip sits,
/// and where the inserted zeros are in the rows it reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Which kernel taps of its rows are inserted zeros (its chunk's
    /// columns, or the whole rows).
    kernel_zeros: Vec<bool>,
    kernel_rows: (u64, u64),
    width: u64,
    images: u64,
    filters: Vec<u64>,
    channels: Vec<u64>,
    incoming: bool,
    zeros: Vec<bool>,
}

/// The key of a pass; `(x, k)` the operands of its chunk.
fn key((x, k): &(SrcMatrix, SrcMatrix), stride: Hw, s: &PassShape) -> Key {
    let lo = s.kernel_rows.0 + s.out_rows.0 * stride.h;
    let hi = (s.kernel_rows.1 - 1) + (s.out_rows.1 - 1) * stride.h;
    let zeros = (lo..=hi)
        .flat_map(|r| (0..x.w).map(move |c| (r, c)))
        .map(|(r, c)| x.at(r, c).is_zero())
        .collect();
    // A chunk's kernel columns may hold inserted zeros another chunk of
    // the same width does not (a dilated gradient's).
    let kernel_zeros = (s.kernel_rows.0..s.kernel_rows.1)
        .flat_map(|r| (0..k.w).map(move |c| (r, c)))
        .map(|(r, c)| k.at(r, c).is_zero())
        .collect();
    Key {
        kernel_zeros,
        kernel_rows: s.kernel_rows,
        width: s.out_rows.1 - s.out_rows.0,
        images: s.images,
        filters: s.filters.clone(),
        channels: s.channels.clone(),
        incoming: s.incoming,
        zeros,
    }
}

/// The layer indices (image n, channel c, filter m) of pass coordinates
/// (image i, filter f, channel c) of group `g` (`group`: channels and
/// filters per group, and `g`).
fn triple(
    pass: PassKind,
    transposed: bool,
    group: (u64, u64, u64),
    i: u64,
    f: u64,
    c: u64,
) -> (u64, u64, u64) {
    let (cg, fg, g) = group;
    match pass {
        PassKind::Igrad => (i, g * cg + f, g * fg + c),
        // The error on the ifmap side (`Convs::of`).
        PassKind::Fgrad if transposed => (c, g * cg + f, g * fg + i),
        PassKind::Fgrad => (c, g * cg + i, g * fg + f),
        _ => (i, g * cg + c, g * fg + f),
    }
}

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
struct Binding {
    ifmap_side: SrcKind,
    /// Triple of each ifmap-side and filter-side plane; output slice and
    /// conv-output row of each output plane.
    ifmap: Vec<(u64, u64, u64)>,
    filter: Vec<(u64, u64, u64)>,
    out: Vec<(u64, u64)>,
}

impl Binding {
    /// The layer value of a stacked ifmap-side or filter-side source.
    fn value(&self, seed: u64, s: Src) -> Option<i64> {
        let (plane, s) = split_src(s);
        let tr = if s.kind == self.ifmap_side {
            *self.ifmap.get(plane as usize)?
        } else {
            *self.filter.get(plane as usize)?
        };
        element(seed, s.kind, tr, s.r as u64, s.c as u64)
    }
}

fn binding(m: &Module, x: &SrcMatrix, j: &PassJob, kind: OutKind) -> Binding {
    let l = &m.layer;
    let (cg, fg) = (l.channels_per_group(), l.filters_per_group());
    let s = &j.shape;
    let t = |i, f, c| triple(m.pass, l.transposed, (cg, fg, j.group), i, f, c);
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

/// A compiled processing pass.
struct Compiled {
    machine: Machine,
    params: (u64, u64, u64),
    rows: u64,
    cols: u64,
    out_shape: Hw,
    pes_used: u64,
    /// Cycles of control, and the most ifmap, filter and psum scratchpad
    /// entries a PE uses.
    control_cycles: u64,
    rf_used: (u64, u64, u64),
}

impl Compiled {
    /// `physical_stats` of this pass run as `run` (`strip` output rows of
    /// the problem's `output_rows`).
    fn physical(&self, run: &Run, strip: u64, output_rows: u64, verified: bool) -> PhysicalStats {
        let (period, min_period, start) = self.params;
        PhysicalStats {
            pe_set: super::PeSet {
                rows: self.rows as u32,
                cols: self.cols as u32,
            },
            strip_rows: strip as u32,
            output_rows,
            cycles: run.cycles(),
            control_cycles: self.control_cycles,
            busy_cycles: run.busy_cycles(),
            window_period: period,
            min_window_period: min_period,
            start_cycles: start,
            macs: run.macs(),
            zero_macs: run.zero_macs(),
            ifmap_sends: run.ifmap_sends,
            filter_sends: run.filter_sends,
            local_fills: run.local_fills,
            rf_ifmap_used: self.rf_used.0,
            rf_filter_used: self.rf_used.1,
            rf_psum_used: self.rf_used.2,
            verified,
        }
    }
}

fn compile(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    kind: OutKind,
    arch: &Arch,
    s: &PassShape,
) -> Result<Compiled, NotSimulated> {
    let name = || format!("{s:?}");
    let pass = rs_pass(x, k, stride, kind, arch, s).map_err(|e| NotSimulated::NoFit {
        pass: name(),
        what: e.0,
    })?;
    let t = pass.timing;
    let program = pass.program;
    // The queues are checked by the run itself, cycle by cycle: a dry run
    // of them first would do the run's work twice.
    let expanded = match verify_structure(&program) {
        Ok(e) => e,
        Err(VerifyError::Capacity(w) | VerifyError::Malformed(w)) => {
            return Err(NotSimulated::NoFit {
                pass: name(),
                what: w,
            })
        }
    };
    let params = ArrayParams {
        fifo_depth: arch.fifo_depth,
        ofmap_bw: arch.noc_ofmap,
        zero_gating: arch.zero_gating,
    };
    let machine =
        Machine::from_expanded(&program, expanded, params).map_err(|e| NotSimulated::Broken {
            pass: name(),
            what: e.to_string(),
        })?;
    Ok(Compiled {
        machine,
        params: (t.window_period, t.min_window_period, t.start),
        rows: program.rows as u64,
        cols: program.cols as u64,
        out_shape: program.out_shape,
        pes_used: pass.pes_used,
        control_cycles: program.length as u64,
        rf_used: program.pes.iter().fold((0, 0, 0), |(i, f, p), e| {
            (
                i.max(e.ifmap_capacity as u64),
                f.max(e.filter_capacity as u64),
                p.max(e.psum_entries as u64),
            )
        }),
    })
}

/// The direct convolution a pass computes (independent of its schedule):
/// each output's incoming psum plus its products over the pass's channels
/// and kernel rows.
fn expected(
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
            .map(|(r, c)| val(crate::passes::plane_src(m.at(r, c), plane)))
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

/// What one run adds to the layer's totals ([`add_run`]). Full mode keeps
/// this for every pass rather than the run, whose per-PE counters and
/// outputs made AlexNet CONV1's filter gradient (207 936 passes) peak at
/// 7.9 GB.
#[derive(Debug, Clone, Copy)]
struct RunTotals {
    cycles: u64,
    drain_steps: u64,
    macs: u64,
    zero_macs: u64,
    ifmap_sends: u64,
    filter_sends: u64,
    psum_sends: u64,
    local_fills: u64,
    ifmap_arrivals: u64,
    filter_arrivals: u64,
    /// The PEs' counters summed.
    pes: super::PeCounters,
}

impl RunTotals {
    fn of(run: &Run) -> RunTotals {
        let mut pes = super::PeCounters::default();
        for p in &run.pes {
            pes.ifmap_reads += p.ifmap_reads;
            pes.ifmap_writes += p.ifmap_writes;
            pes.filter_reads += p.filter_reads;
            pes.filter_writes += p.filter_writes;
            pes.psum_reads += p.psum_reads;
            pes.psum_writes += p.psum_writes;
            pes.adds += p.adds;
            pes.in_psum_puts += p.in_psum_puts;
            pes.glb_writes += p.glb_writes;
        }
        RunTotals {
            cycles: run.cycles(),
            drain_steps: run.drain_steps,
            macs: run.macs(),
            zero_macs: run.zero_macs(),
            ifmap_sends: run.ifmap_sends,
            filter_sends: run.filter_sends,
            psum_sends: run.psum_sends,
            local_fills: run.local_fills,
            ifmap_arrivals: run.ifmap_arrivals,
            filter_arrivals: run.filter_arrivals,
            pes,
        }
    }
}

/// Adds one run to the layer's totals, `times` times (`None` when a
/// total leaves 64 bits).
fn add_run(
    sim: &mut LayerSimulation,
    run: &RunTotals,
    c: &Compiled,
    s: &PassShape,
    windows: u64,
    times: u64,
    last: bool,
) -> Option<()> {
    let (period, min_period, start) = c.params;
    let add = |acc: &mut u64, v: u64| -> Option<()> {
        *acc = acc.checked_add(v.checked_mul(times)?)?;
        Some(())
    };
    add(&mut sim.cycles, run.cycles)?;
    add(&mut sim.start_cycles, start)?;
    add(
        &mut sim.stretch_cycles,
        (s.images * windows).checked_mul(period - min_period)?,
    )?;
    add(&mut sim.drain_cycles, run.drain_steps)?;
    add(&mut sim.processing_passes, 1)?;
    sim.active_pes = sim.active_pes.max(c.pes_used);
    add(&mut sim.macs, run.macs)?;
    add(&mut sim.zero_macs, run.zero_macs)?;
    add(&mut sim.glb_ifmap_reads, run.ifmap_sends)?;
    add(&mut sim.glb_filter_reads, run.filter_sends)?;
    add(&mut sim.glb_psum_reads, run.psum_sends)?;
    add(&mut sim.local_fills, run.local_fills)?;
    let p = &run.pes;
    add(&mut sim.rf.ifmap_reads, p.ifmap_reads)?;
    add(&mut sim.rf.ifmap_writes, p.ifmap_writes)?;
    add(&mut sim.rf.filter_reads, p.filter_reads)?;
    add(&mut sim.rf.filter_writes, p.filter_writes)?;
    add(&mut sim.rf.psum_reads, p.psum_reads)?;
    add(&mut sim.rf.psum_writes, p.psum_writes)?;
    add(&mut sim.adds, p.adds)?;
    add(&mut sim.psum_hops, p.in_psum_puts)?;
    let writes = if last {
        &mut sim.glb_ofmap_writes
    } else {
        &mut sim.glb_psum_writes
    };
    add(writes, p.glb_writes)?;
    add(&mut sim.ifmap_arrivals, run.ifmap_arrivals)?;
    add(&mut sim.filter_arrivals, run.filter_arrivals)?;
    Some(())
}

/// A pass whose simulation broke a hardware invariant.
fn broken(s: &PassShape, e: super::SimError) -> NotSimulated {
    NotSimulated::Broken {
        pass: format!("{s:?}"),
        what: e.to_string(),
    }
}

/// A parallel job that panicked.
fn unfinished() -> NotSimulated {
    NotSimulated::Broken {
        pass: "?".into(),
        what: "a worker did not finish".into(),
    }
}

fn too_large() -> NotSimulated {
    NotSimulated::TooLarge("a count of the layer leaves 64 bits".into())
}

/// Most processing passes `--verify full` simulates one by one for a
/// layer; beyond it the layer is simulated in the default mode only.
pub const MAX_FULL_PASSES: u128 = 1_000_000;

fn empty(mode: &'static str) -> LayerSimulation {
    LayerSimulation {
        mode,
        cycles: 0,
        start_cycles: 0,
        stretch_cycles: 0,
        drain_cycles: 0,
        processing_passes: 0,
        passes_simulated: 0,
        distinct_passes: 0,
        active_pes: 0,
        macs: 0,
        zero_macs: 0,
        glb_ifmap_reads: 0,
        glb_filter_reads: 0,
        glb_psum_reads: 0,
        glb_psum_writes: 0,
        glb_ofmap_writes: 0,
        ifmap_arrivals: 0,
        filter_arrivals: 0,
        local_fills: 0,
        rf: RfCounts::default(),
        adds: 0,
        psum_hops: 0,
        verified: true,
        verified_outputs: 0,
        mismatches: Vec::new(),
        steps: None,
        bank_traces: Vec::new(),
        first_pass: None,
    }
}

/// The operands of the module's 2-D convolution.
fn operands(m: &Module) -> Result<(SrcMatrix, SrcMatrix, Hw), NotSimulated> {
    let g = m
        .graph
        .as_ref()
        .ok_or_else(|| NotSimulated::Unsupported("no graph".into()))?;
    let (stride, xn, kn, _) = g
        .conv()
        .ok_or_else(|| NotSimulated::Unsupported("the graph has no conv2d".into()))?;
    let x = crate::ir::eval(g, xn)
        .ok_or_else(|| NotSimulated::Unsupported("conv input is not evaluable".into()))?;
    let k = crate::ir::eval(g, kn)
        .ok_or_else(|| NotSimulated::Unsupported("conv kernel is not evaluable".into()))?;
    Ok((x, k, stride))
}

/// Simulates the whole layer of a compiled row-stationary module under a
/// blocking: each distinct processing pass once (`full = false`) or every
/// pass with the layer's values, checking every output (`full = true`).
pub fn simulate_layer(
    m: &Module,
    d: Dims,
    b: &Blocking,
    full: bool,
    seed: u64,
) -> Result<LayerSimulation, NotSimulated> {
    if b.r > 1 && !b.stack {
        return Err(NotSimulated::Unsupported(format!(
            "{} channel sets whose psums the array does not add (`psum_across_sets = off`)",
            b.r
        )));
    }
    let (x, k, stride) = operands(m)?;
    let ops = chunk_operands(&x, &k, stride, &cuts(&x, &k, stride, b));
    let kind = crate::passes::out_kind_of(m.pass);
    let windows = (x.w - k.w) / stride.w + 1;
    let out_rows = (x.h - k.h) / stride.h + 1;
    // Each distinct pass once, in the order first met.
    let mut order: Vec<(Key, PassJob)> = Vec::new();
    // How often each runs, as a psum pass and as a last pass.
    let mut count: HashMap<Key, [u128; 2]> = HashMap::new();
    // The distinct pass of each kind, for the running order's cycles.
    let mut kind_keys: Vec<Key> = Vec::new();
    for (j, times) in pass_kinds(&x, &k, stride, d, b) {
        let key = key(&ops[j.chunk as usize], stride, &j.shape);
        kind_keys.push(key.clone());
        let n = count.entry(key.clone()).or_insert([0, 0]);
        if n[0] + n[1] == 0 {
            order.push((key, j.clone()));
        }
        n[j.last as usize] += times;
    }
    if full {
        // Counted before any pass is listed: a layer too large for full
        // verification is left to `verify_full`, which refuses it (E0208).
        let floor = super::layer_verify::full_work_floor(m);
        if floor > super::layer_verify::MAX_FULL_PE_CYCLES {
            return Err(NotSimulated::TooLarge(format!(
                "full verification would take at least {floor} PE-cycles"
            )));
        }
        let passes: u128 = count.values().map(|n| n[0] + n[1]).sum();
        if passes > MAX_FULL_PASSES {
            return Err(NotSimulated::TooLarge(format!(
                "{passes} processing passes, more than the {MAX_FULL_PASSES} full mode simulates"
            )));
        }
        let seqs = sequences(&x, &k, stride, d, b);
        let index: HashMap<&Key, usize> =
            order.iter().enumerate().map(|(i, (k, _))| (k, i)).collect();
        let (mut sim, passes) =
            simulate_full(m, &x, &ops, stride, kind, &seqs, windows, seed, &index)?;
        sim.distinct_passes = order.len() as u64;
        sim.steps = pass_order::steps(&x, &k, stride, d, b, |_, at| passes[at]);
        return Ok(sim);
    }
    let runs = crate::parallel::map_in_order(
        &order,
        |(_, j)| -> Result<(Compiled, Run, Vec<Mismatch>, BankTrace), NotSimulated> {
            let (xc, kc) = &ops[j.chunk as usize];
            let c = compile(xc, kc, stride, kind, &m.arch, &j.shape)?;
            let bind = binding(m, &x, j, kind);
            // Returning psums of a sampled pass: values of their own.
            let val = |s: Src| -> Option<i64> {
                if s.kind == SrcKind::Psum {
                    return Some(value(
                        seed,
                        Tensor::Error,
                        1 << 40,
                        s.r as u64,
                        0,
                        s.c as u64,
                    ));
                }
                bind.value(seed, s)
            };
            let mut log = Vec::new();
            let run = c
                .machine
                .run_logged(&val, Some(&mut log))
                .map_err(|e| broken(&j.shape, e))?;
            let trace = BankTrace::of(&log, per_word(m));
            let want = expected(xc, kc, stride, &j.shape, &val, c.out_shape);
            let bad = diff(&want, &run.outputs, c.out_shape.w);
            Ok((c, run, bad, trace))
        },
    );
    let mut sim = empty("sample");
    sim.distinct_passes = order.len() as u64;
    // Each distinct pass's cycles and its index among them.
    let mut cycles_of: HashMap<&Key, (u64, u32)> = HashMap::new();
    for ((key, j), r) in order.iter().zip(runs) {
        let (c, run, bad, trace) = r.ok_or_else(|| NotSimulated::Broken {
            pass: format!("{:?}", j.shape),
            what: "a worker did not finish".into(),
        })??;
        for (last, &times) in count[key].iter().enumerate() {
            let times = u64::try_from(times).map_err(|_| too_large())?;
            add_run(
                &mut sim,
                &RunTotals::of(&run),
                &c,
                &j.shape,
                windows,
                times,
                last == 1,
            )
            .ok_or_else(too_large)?;
        }
        if sim.first_pass.is_none() {
            let strip = j.shape.out_rows.1 - j.shape.out_rows.0;
            sim.first_pass = Some(c.physical(&run, strip, out_rows, bad.is_empty()));
        }
        cycles_of.insert(key, (run.cycles(), sim.bank_traces.len() as u32));
        sim.bank_traces.push(trace);
        sim.passes_simulated += 1;
        sim.verified_outputs += run.outputs.len() as u64;
        if !bad.is_empty() {
            sim.verified = false;
            sim.mismatches
                .extend(bad.into_iter().take(10 - sim.mismatches.len().min(10)));
        }
        let _ = (c.rows, c.cols);
    }
    sim.steps = pass_order::steps(&x, &k, stride, d, b, |kind, _| cycles_of[&kind_keys[kind]]);

    Ok(sim)
}

/// Outputs that differ from what the pass should compute.
fn diff(want: &[Option<i64>], got: &[Option<i64>], w: u64) -> Vec<Mismatch> {
    want.iter()
        .zip(got)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(10)
        .map(|(i, (a, b))| Mismatch {
            row: i / w as usize,
            col: i % w as usize,
            expected: a.unwrap_or(0),
            actual: *b,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn simulate_full(
    m: &Module,
    x: &SrcMatrix,
    ops: &[(SrcMatrix, SrcMatrix)],
    stride: Hw,
    kind: OutKind,
    seqs: &[Vec<PassJob>],
    windows: u64,
    seed: u64,
    distinct: &HashMap<&Key, usize>,
) -> Result<(LayerSimulation, Vec<(u64, u32)>), NotSimulated> {
    // One program per shape: a program names the sources it reads, so a
    // pass of another strip (the same timing) needs its own to read its
    // own rows.
    let mut compiled: HashMap<(&PassShape, u64), usize> = HashMap::new();
    let mut unique: Vec<&PassJob> = Vec::new();
    for j in seqs.iter().flatten() {
        if let std::collections::hash_map::Entry::Vacant(e) = compiled.entry((&j.shape, j.chunk)) {
            e.insert(unique.len());
            unique.push(j);
        }
    }
    // Compiled on every core (a layer of few long sequences, as CONV1's,
    // spent as long compiling its strips one by one as running them); the
    // first that fails, in running order, is the error.
    let programs: Vec<Compiled> = crate::parallel::map_in_order(&unique, |j| {
        let (xc, kc) = &ops[j.chunk as usize];
        compile(xc, kc, stride, kind, &m.arch, &j.shape)
    })
    .into_iter()
    .map(|r| r.unwrap_or_else(|| Err(unfinished())))
    .collect::<Result<_, _>>()?;
    // Each pass's distinct pass (as the default mode numbers them); the
    // first pass of each notes its global-buffer accesses.
    let kinds: Vec<Vec<usize>> = seqs
        .iter()
        .map(|seq| {
            seq.iter()
                .map(|j| distinct[&key(&ops[j.chunk as usize], stride, &j.shape)])
                .collect()
        })
        .collect();
    let mut seen = vec![false; distinct.len()];
    let traced: Vec<Vec<bool>> = kinds
        .iter()
        .map(|seq| {
            seq.iter()
                .map(|&kd| !std::mem::replace(&mut seen[kd], true))
                .collect()
        })
        .collect();
    let jobs: Vec<usize> = (0..seqs.len()).collect();
    // Each sequence carries its psums in its own buffer of the pass's
    // output planes; at its end the last pass's outputs are the layer's.
    type SeqOut = Vec<((u64, u64), u64, Vec<Option<i64>>)>;
    type SeqRuns = (
        Vec<(usize, RunTotals, Option<BankTrace>)>,
        Option<PhysicalStats>,
    );
    let progress = crate::progress::Progress::new(seqs.len(), "pass sequences simulated");
    let results =
        crate::parallel::map_in_order(&jobs, |&si| -> Result<(SeqRuns, SeqOut), NotSimulated> {
            let seq = &seqs[si];
            let mut psums: Vec<Option<i64>> = Vec::new();
            let mut runs = Vec::new();
            let mut first = None;
            let mut last: Option<(&PassJob, Hw)> = None;
            for (at, j) in seq.iter().enumerate() {
                let idx = compiled[&(&j.shape, j.chunk)];
                let c = &programs[idx];
                let bind = binding(m, x, j, kind);
                let carried = &psums;
                let val = |s: Src| -> Option<i64> {
                    if s.kind == SrcKind::Psum {
                        let w = c.out_shape.w;
                        let width = j.shape.out_rows.1 - j.shape.out_rows.0;
                        let at = (s.r as u64 * width + s.c as u64 / w) * w + s.c as u64 % w;
                        return carried.get(at as usize).copied().flatten();
                    }
                    bind.value(seed, s)
                };
                let mut log = Vec::new();
                let trace = traced[si][at];
                let run = c
                    .machine
                    .run_logged(&val, trace.then_some(&mut log))
                    .map_err(|e| broken(&j.shape, e))?;
                let trace = trace.then(|| BankTrace::of(&log, per_word(m)));
                if at == 0 {
                    let strip = j.shape.out_rows.1 - j.shape.out_rows.0;
                    let out_rows = (x.h - ops[0].1.h) / stride.h + 1;
                    // Its outputs are checked with the layer's, below.
                    first = Some(c.physical(&run, strip, out_rows, true));
                }
                runs.push((idx, RunTotals::of(&run), trace));
                psums = run.outputs;
                last = Some((j, c.out_shape));
            }
            progress.inc();
            let mut out = Vec::new();
            if let Some((j, shape)) = last {
                let bind = binding(m, x, j, kind);
                let width = j.shape.out_rows.1 - j.shape.out_rows.0;
                for (plane, &slice) in bind.out.iter().enumerate() {
                    // Planes of filters a set does not hold stay empty.
                    let from = plane as u64 * width * shape.w;
                    let rows: Vec<Option<i64>> =
                        psums[from as usize..(from + width * shape.w) as usize].to_vec();
                    if rows.iter().all(Option::is_none) {
                        continue;
                    }
                    out.push((slice, j.shape.out_rows.0, rows));
                }
            }
            Ok(((runs, first), out))
        });
    drop(progress);
    let mut sim = empty("full");
    let l = &m.layer;
    let conv_out = {
        let sl = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, 0, 0, 0);
        reference::reference(kind, l, &sl).dim()
    };
    let mut got: HashMap<(u64, u64), Array2<Option<i64>>> = HashMap::new();
    // Each pass's cycles and distinct pass in running order.
    let mut passes = Vec::new();
    let mut traces: Vec<Option<BankTrace>> = vec![None; distinct.len()];
    for ((seq, r), kinds) in seqs.iter().zip(results).zip(&kinds) {
        let ((runs, first), outs) = r.ok_or_else(unfinished)??;
        if sim.first_pass.is_none() {
            sim.first_pass = first;
        }
        for (((idx, run, trace), j), &kd) in runs.into_iter().zip(seq).zip(kinds) {
            add_run(&mut sim, &run, &programs[idx], &j.shape, windows, 1, j.last)
                .ok_or_else(too_large)?;
            passes.push((run.cycles, kd as u32));
            if trace.is_some() {
                traces[kd] = trace;
            }
            sim.passes_simulated += 1;
        }
        for (slice, y0, rows) in outs {
            let a = got
                .entry(slice)
                .or_insert_with(|| Array2::from_elem(conv_out, None));
            for (i, v) in rows.into_iter().enumerate() {
                let (y, c) = (y0 as usize + i / windows as usize, i % windows as usize);
                if let Some(e) = a.get_mut((y, c)) {
                    *e = v;
                }
            }
        }
    }
    // Every output slice of the layer against the reference.
    let unwritten_ok = kind != OutKind::Ofmap || l.transposed;
    let mut keys: Vec<_> = got.keys().copied().collect();
    keys.sort_unstable();
    // The reference slices on every core (CONV1's 384 slices of 3 025
    // outputs took a tenth of the run, one after another).
    let wants =
        crate::parallel::map_in_order(&keys, |&slice| reference_slice(m, kind, slice, seed));
    for (slice, want) in keys.into_iter().zip(wants) {
        let a = &got[&slice];
        let want = want.ok_or_else(unfinished)?;
        let flat: Vec<Option<i64>> = a.iter().copied().collect();
        sim.verified_outputs += want.len() as u64;
        let bad = super::check_outputs(&want, &flat, unwritten_ok);
        if !bad.is_empty() {
            sim.verified = false;
            for b in bad {
                if sim.mismatches.len() < 10 {
                    sim.mismatches.push(b);
                }
            }
        }
    }
    sim.bank_traces = traces.into_iter().map(Option::unwrap_or_default).collect();
    if let Some(f) = &mut sim.first_pass {
        f.verified = sim.verified;
    }
    Ok((sim, passes))
}

/// Elements to a global-buffer bank word (`glb_banks`).
fn per_word(m: &Module) -> u64 {
    m.arch.glb_width_bits / m.arch.precision.max(1)
}

/// The reference of one output slice: the sum of its terms' references.
fn reference_slice(m: &Module, kind: OutKind, (a, b): (u64, u64), seed: u64) -> Array2<i64> {
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

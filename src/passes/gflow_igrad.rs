//! Grad-Flow input-gradient schedule (EcoFlow; the original's
//! `gflow_igrad.py`). Only the real products `W[y][x] · dO[h][w]` are
//! scheduled: the filter is broadcast, every error element is multicast to
//! the PEs that need it, and each product is accumulated, first in a psum
//! slot of its PE and then up its PE column, into the gradient element
//! `dXp[h·s_h + y][w·s_w + x]` of the padded input.
//!
//! Virtual PE (h, a) handles error row h in PE column a; the grouping g
//! time-multiplexes g consecutive virtual rows onto one physical row.
//! Weight k is read in filter column-major order (x = k / R, y = k % R); in
//! column a it meets error column `(a - x / s_w) mod E_w` (the original's
//! column "shift"), so each gradient column C lives in PE column
//! `(C / s_w) mod E_w` and all contributions to one gradient element meet in
//! one column.

use crate::ir::Slot;
use std::collections::HashMap;

use super::gflow_common::{check_grouping, check_size, set_length, Timeline};
use crate::diag::Diagnostic;
use crate::ir::{LogicalSet, OutKind, PeSchedule, Placement, Src, SrcKind, Word};
use crate::model::{Hw, Layer};

/// Grad-Flow input-gradient set for one 2-D convolution of `layer`, with
/// grouping `g` (1..=E_h) and a multiplier of `mul` stages.
pub fn gflow_igrad_set(
    layer: &Layer,
    g: i64,
    mul: u64,
    add: u64,
) -> Result<LogicalSet, Diagnostic> {
    gflow_igrad_set_ordered(layer, g, mul, add, false)
}

/// [`gflow_igrad_set`] with the weight columns read by residue modulo the
/// column stride (`x = 0, s, 2s, ..., 1, 1 + s, ...`) when `by_residue`: a
/// PE column's gradient columns are `a·s + (x mod s)`, so in column-major
/// order every one of them stays live for the whole pass, while by residue
/// only one gradient column's sums are live at a time (fewer psum slots
/// for a large strided filter; the same products).
pub fn gflow_igrad_set_ordered(
    layer: &Layer,
    g: i64,
    mul: u64,
    add: u64,
    by_residue: bool,
) -> Result<LogicalSet, Diagnostic> {
    let mut shape = IgradShape::new(layer, g)?;
    if by_residue {
        let (s, w) = (shape.stride.w.max(1), shape.filt.w);
        shape.columns = (0..s).flat_map(|r| (r..w).step_by(s as usize)).collect();
    }
    // Read-to-adder distance: a read at t reaches the adder at t + d1.
    let d1 = (mul + add).saturating_sub(1);
    let reads_per_pe = shape.group.min(shape.err.h).saturating_mul(shape.taps());
    check_size(
        layer,
        "igrad",
        shape.rows,
        shape.cols,
        reads_per_pe.saturating_add(d1 + 3),
    )?;
    let mut lines = vec![Timeline::default(); (shape.rows * shape.cols) as usize];
    let mut pes = vec![PeSchedule::default(); lines.len()];
    for a in 0..shape.cols {
        let column = Column::new(&shape, a);
        // Psums forwarded by the PE below: (gradient index, first cycle the
        // PE above can take it), in the order they enter its IN_PSUM queue.
        let mut incoming: Vec<(u64, u64)> = Vec::new();
        for p in (0..shape.rows).rev() {
            let reads = PeReads::new(&shape, &column, p);
            let (line, forwarded) = reads.schedule(&incoming, d1)?;
            let i = (p * shape.cols + a) as usize;
            lines[i] = line;
            pes[i] = reads.contents(&shape, &column);
            incoming = forwarded;
        }
    }
    let len = set_length(layer, "igrad", shape.rows, shape.cols, &lines)?;
    for (pe, line) in pes.iter_mut().zip(&lines) {
        pe.words = line.words(len);
    }
    Ok(LogicalSet {
        rows: shape.rows as u32,
        cols: shape.cols as u32,
        pes,
        out_kind: OutKind::InputGrad,
        out_shape: shape.grad,
        placement: shape.placement(),
        analytic_macs: shape.taps() * shape.err.h * shape.err.w,
        deliveries: Vec::new(),
        stream: None,
        top_rows: Vec::new(),
        gflow_group: Some(g),
    })
}

/// Shapes of one input-gradient convolution and its logical PE set.
struct IgradShape {
    /// R x S.
    filt: Hw,
    /// E_h x E_w (the ofmap error).
    err: Hw,
    stride: Hw,
    /// Gradient shape: the padded input.
    grad: Hw,
    /// Virtual rows per physical row.
    group: u64,
    rows: u64,
    cols: u64,
    /// Filter column of each weight column slot, in read order.
    columns: Vec<u64>,
}

impl IgradShape {
    fn new(layer: &Layer, g: i64) -> Result<IgradShape, Diagnostic> {
        let err = layer.ofmap;
        check_grouping(
            layer,
            "igrad",
            g,
            g >= 1 && g as u64 <= err.h,
            &format!("1..={}", err.h),
            "igrad grouping g time-multiplexes g error rows onto one PE row; the layer has E_h error rows",
        )?;
        let group = g as u64;
        Ok(IgradShape {
            filt: layer.filter,
            err,
            stride: layer.stride,
            grad: layer.padded_ifmap(),
            group,
            rows: err.h.div_ceil(group),
            cols: err.w,
            columns: (0..layer.filter.w).collect(),
        })
    }

    fn taps(&self) -> u64 {
        self.filt.h * self.filt.w
    }

    /// Filter row and column of weight k (column-major order over
    /// `columns`).
    fn weight(&self, k: u64) -> (u64, u64) {
        (k % self.filt.h, self.columns[(k / self.filt.h) as usize])
    }

    /// Error rows `lo..=hi` whose products reach gradient row `r`.
    fn contributing_rows(&self, r: u64) -> (u64, u64) {
        let lo = (r + 1).saturating_sub(self.filt.h).div_ceil(self.stride.h);
        let hi = (r / self.stride.h).min(self.err.h - 1);
        (lo, hi)
    }

    /// Error rows of physical row p.
    fn virtual_rows(&self, p: u64) -> std::ops::Range<u64> {
        let h0 = p * self.group;
        h0..(h0 + self.group).min(self.err.h)
    }

    fn placement(&self) -> Placement {
        Placement {
            rules: vec![
                format!(
                    "PE (p, a): error rows {}p..{}p+{} (grouping {}), PE column a of {}",
                    self.group, self.group, self.group, self.group, self.cols
                ),
                format!(
                    "weight k = x*{} + y (column-major) meets error column (a - x/{}) mod {} and adds to gradient (h*{} + y, col*{} + x)",
                    self.filt.h, self.stride.w, self.err.w, self.stride.h, self.stride.w
                ),
                "filter broadcast (one group); each error element multicast to the PEs whose column uses it".to_string(),
                "psums accumulate in a slot per gradient element, then move up the column; the topmost contributing row writes".to_string(),
                "a PE takes forwarded psums in the order the PE below pushes them, as soon as its own products are in".to_string(),
            ],
        }
    }
}

/// What PE column a needs: the error column each weight meets, and the
/// sorted set of error columns it holds.
struct Column {
    /// Error column met by weight k.
    col: Vec<u64>,
    /// Index of `col[k]` in `held`.
    rank: Vec<u32>,
    /// Sorted distinct error columns (the original's S_a).
    held: Vec<u64>,
}

impl Column {
    fn new(shape: &IgradShape, a: u64) -> Column {
        let e = shape.err.w;
        let col: Vec<u64> = (0..shape.taps())
            .map(|k| {
                let shift = shape.weight(k).1 / shape.stride.w;
                (a + e - shift % e) % e
            })
            .collect();
        let mut held = col.clone();
        held.sort_unstable();
        held.dedup();
        let rank = col
            .iter()
            .map(|c| held.iter().position(|h| h == c).unwrap_or(0) as u32)
            .collect();
        Column { col, rank, held }
    }
}

/// One scheduled read: addresses and the gradient element it adds to.
struct Read {
    ifm: u32,
    fil: u32,
    target: u64,
}

/// Per gradient element of one PE.
struct Target {
    /// Psum slot (order of first appearance).
    slot: u32,
    first: usize,
    last: usize,
    /// The PE below also contributes (a psum arrives from it).
    below: bool,
    /// A PE above also contributes (the result is forwarded, not written).
    above: bool,
}

/// The reads of PE (p, a) and what each gradient element needs.
struct PeReads {
    rows: std::ops::Range<u64>,
    reads: Vec<Read>,
    targets: HashMap<u64, Target>,
}

impl PeReads {
    fn new(shape: &IgradShape, column: &Column, p: u64) -> PeReads {
        let rows = shape.virtual_rows(p);
        let held = column.held.len() as u64;
        let mut reads = Vec::new();
        // Error rows bottom-up: the rows that share gradient elements with
        // the PE below finish first, and those shared with the PE above
        // last, so forwarded psums arrive when the PE above can take them
        // instead of waiting in its IN_PSUM queue. (One row for g = 1.)
        for h in rows.clone().rev() {
            for k in 0..shape.taps() {
                let (y, x) = shape.weight(k);
                let ki = k as usize;
                let (r, c) = (h * shape.stride.h + y, column.col[ki] * shape.stride.w + x);
                reads.push(Read {
                    ifm: ((h - rows.start) * held) as u32 + column.rank[ki],
                    fil: k as u32,
                    target: r * shape.grad.w + c,
                });
            }
        }
        let mut targets: HashMap<u64, Target> = HashMap::new();
        for (i, rd) in reads.iter().enumerate() {
            let next = targets.len() as u32;
            let t = targets.entry(rd.target).or_insert_with(|| {
                let (lo, hi) = shape.contributing_rows(rd.target / shape.grad.w);
                Target {
                    slot: next,
                    first: i,
                    last: i,
                    below: hi >= rows.end,
                    above: lo < rows.start,
                }
            });
            t.last = i;
        }
        PeReads {
            rows,
            reads,
            targets,
        }
    }

    /// Places the reads and the takes of forwarded psums cycle by cycle.
    /// A take needs an adder slot without a product, the PE's own last
    /// product of that element already written, and the psum arrived; takes
    /// follow `incoming`'s order exactly, which is the PE below's push
    /// order, so the FIFO never hands a psum to the wrong element. Returns
    /// the timeline and this PE's forwarded psums in push order.
    fn schedule(
        &self,
        incoming: &[(u64, u64)],
        d1: u64,
    ) -> Result<(Timeline, Vec<(u64, u64)>), Diagnostic> {
        let mut o = Output::default();
        // Cycle of each slot's last local product (None while pending).
        let mut done: Vec<Option<u64>> = vec![None; self.targets.len()];
        let (mut c, mut r, mut q) = (1 + d1, 0usize, 0usize);
        loop {
            if let Some(&(idx, arrival)) = incoming.get(q) {
                let t = self.target(idx)?;
                let ready = done[t.slot as usize].map(|lc| (lc + 1).max(arrival));
                match ready {
                    Some(at) if at <= c => {
                        self.take(&mut o, c, idx, t);
                        q += 1;
                        c += 1;
                        continue;
                    }
                    Some(at) if r == self.reads.len() => {
                        c = at;
                        continue;
                    }
                    None if r == self.reads.len() => {
                        return Err(internal("a forwarded psum has no local slot"))
                    }
                    _ => {}
                }
            }
            let Some(rd) = self.reads.get(r) else { break };
            let t = self.target(rd.target)?;
            self.mac(&mut o, c, d1, r, t, rd);
            if r == t.last {
                done[t.slot as usize] = Some(c);
            }
            r += 1;
            c += 1;
        }
        Ok((o.line, o.forwarded))
    }

    fn target(&self, idx: u64) -> Result<&Target, Diagnostic> {
        self.targets
            .get(&idx)
            .ok_or_else(|| internal("unknown gradient element"))
    }

    /// Read r, whose product reaches the adder at cycle c.
    fn mac(&self, o: &mut Output, c: u64, d1: u64, r: usize, t: &Target, rd: &Read) {
        o.line.read(c - d1, rd.ifm, rd.fil);
        let last = r == t.last;
        // Keep the sum in its slot unless it leaves the PE now.
        let keep = !last || t.below;
        o.line.adder(
            c,
            Word {
                psum_rd: (r != t.first).then_some(t.slot).into(),
                psum_wr: keep.then_some(t.slot).into(),
                push: !keep,
                ..Word::default()
            },
        );
        if !keep {
            o.emit(c, rd.target, t);
        }
    }

    /// Adds the psum from below to the slot's sum and pushes the result.
    fn take(&self, o: &mut Output, c: u64, idx: u64, t: &Target) {
        o.line.adder(
            c,
            Word {
                psum_rd: Slot::new(t.slot),
                take_in: true,
                push: true,
                ..Word::default()
            },
        );
        o.emit(c, idx, t);
    }

    /// Preloaded scratchpads and multicast groups of this PE.
    fn contents(&self, shape: &IgradShape, column: &Column) -> PeSchedule {
        let mut ifmap_init = Vec::new();
        let mut ifmap_groups = Vec::new();
        for h in self.rows.clone() {
            for &w in &column.held {
                ifmap_init.push(Src::new(SrcKind::Error, h, w));
                ifmap_groups.push((h * shape.err.w + w) as u32);
            }
        }
        let filter_init = (0..shape.taps())
            .map(|k| {
                let (y, x) = shape.weight(k);
                Src::new(SrcKind::Filter, y, x)
            })
            .collect();
        PeSchedule {
            ifmap_init,
            filter_init,
            psum_entries: self.targets.len() as u32,
            words: Vec::new(),
            ifmap_groups,
            filter_groups: vec![0],
            ..PeSchedule::default()
        }
    }
}

/// What a PE's schedule produces: its events, and its forwarded psums as
/// (gradient index, first cycle the PE above can take it), in push order.
#[derive(Default)]
struct Output {
    line: Timeline,
    forwarded: Vec<(u64, u64)>,
}

impl Output {
    /// A sum pushed at cycle c leaves at c + 1: to the global buffer if no
    /// PE above contributes to it, else into the IN_PSUM queue of the PE
    /// above.
    fn emit(&mut self, c: u64, idx: u64, t: &Target) {
        if t.above {
            self.forwarded.push((idx, c + 1));
        } else {
            self.line.out(c + 1, idx as u32);
        }
    }
}

fn internal(what: &str) -> Diagnostic {
    Diagnostic::error(
        crate::diag::Code::Internal,
        format!("internal error in the Grad-Flow igrad schedule: {what}"),
    )
    .with_help("this is a bug in cnnc; please report it with the input file")
}

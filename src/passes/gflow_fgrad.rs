//! Grad-Flow filter-gradient schedule (EcoFlow; the original's
//! `gflow_fgrad.py`). Virtual PE (y, x) computes one filter-gradient
//! element `dW[y][x] = Σ_{i,j} dO[i][j] · Xp[y + i·s_h][x + j·s_w]` from the
//! n = E_h·E_w real terms only: the error is broadcast and every input
//! element is multicast to the virtual PEs whose sums use it.
//!
//! Grouping g >= 1 ("merge") computes g filter rows one after another on one
//! PE row; g <= -1 ("expand") splits each element's n terms over |g| PE rows
//! whose partial sums add up the column (the bottom sub-row starts first,
//! each sub-row above one cycle later, so every sum arrives just as the PE
//! above finishes its own terms).

use super::gflow_common::{check_grouping, check_size, set_length, Timeline};
use crate::diag::Diagnostic;
use crate::ir::Slot;
use crate::ir::{LogicalSet, OutKind, PeSchedule, Placement, Src, SrcKind, Word};
use crate::model::{Hw, Layer};

/// Grad-Flow filter-gradient set for one 2-D convolution of `layer`, with
/// grouping `g` (1..=R merges, -(E_h·E_w)..=-1 expands).
pub fn gflow_fgrad_set(
    layer: &Layer,
    g: i64,
    mul: u64,
    add: u64,
) -> Result<LogicalSet, Diagnostic> {
    let shape = FgradShape::new(layer, g)?;
    let d1 = (mul + add).saturating_sub(1);
    check_size(
        layer,
        "fgrad",
        shape.rows(),
        shape.filt.w,
        shape.cycle_bound(d1),
    )?;
    let cols = shape.filt.w;
    let mut lines = Vec::with_capacity((shape.rows() * cols) as usize);
    let mut pes = Vec::with_capacity(lines.capacity());
    let takes = match shape.mode {
        Mode::Expand(parts) => take_cycles(shape.terms(), parts, d1),
        Mode::Merge(_) => Vec::new(),
    };
    for p in 0..shape.rows() {
        for x in 0..cols {
            let (line, pe) = match shape.mode {
                Mode::Merge(group) => merge_pe(&shape, group, p, x, d1),
                Mode::Expand(parts) => expand_pe(&shape, parts, p, x, d1, &takes),
            };
            lines.push(line);
            pes.push(pe);
        }
    }
    let len = set_length(layer, "fgrad", shape.rows(), cols, &lines)?;
    for (pe, line) in pes.iter_mut().zip(&lines) {
        pe.words = line.words(len);
    }
    Ok(LogicalSet {
        rows: shape.rows() as u32,
        cols: cols as u32,
        pes,
        out_kind: OutKind::FilterGrad,
        out_shape: shape.filt,
        placement: shape.placement(),
        analytic_macs: shape.filt.h * shape.filt.w * shape.terms(),
        deliveries: Vec::new(),
        stream: None,
        top_rows: Vec::new(),
        gflow_group: Some(g),
    })
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// g filter rows per PE row.
    Merge(u64),
    /// Each element's terms split over this many PE rows.
    Expand(u64),
}

/// Shapes of one filter-gradient convolution.
struct FgradShape<'a> {
    layer: &'a Layer,
    /// R x S: the result, and the virtual PE array.
    filt: Hw,
    /// E_h x E_w.
    err: Hw,
    stride: Hw,
    mode: Mode,
}

impl<'a> FgradShape<'a> {
    fn new(layer: &'a Layer, g: i64) -> Result<FgradShape<'a>, Diagnostic> {
        let n = layer.ofmap.h * layer.ofmap.w;
        let r = layer.filter.h;
        let valid = (g >= 1 && g as u64 <= r) || (g <= -1 && g.unsigned_abs() <= n);
        check_grouping(
            layer,
            "fgrad",
            g,
            valid,
            &format!("1..={r} (merge filter rows) or -{n}..=-1 (split the E_h*E_w = {n} terms)"),
            "fgrad grouping g >= 1 computes g filter rows on one PE row; g <= -1 splits each element's E_h*E_w terms over |g| PE rows",
        )?;
        let mode = if g >= 1 {
            Mode::Merge(g as u64)
        } else {
            Mode::Expand(g.unsigned_abs())
        };
        Ok(FgradShape {
            layer,
            filt: layer.filter,
            err: layer.ofmap,
            stride: layer.stride,
            mode,
        })
    }

    /// Terms per filter-gradient element.
    fn terms(&self) -> u64 {
        self.err.h * self.err.w
    }

    fn rows(&self) -> u64 {
        match self.mode {
            Mode::Merge(g) => self.filt.h.div_ceil(g),
            Mode::Expand(parts) => self.filt.h * parts,
        }
    }

    /// The control length (merge: exact; expand: the longest sub-row's
    /// start plus chunk 0, which the takes never exceed by more than one
    /// cycle), for the size check before anything is built. Saturates so
    /// that absurd sizes are refused rather than overflowing.
    fn cycle_bound(&self, d1: u64) -> u64 {
        let n = self.terms();
        let work = match self.mode {
            Mode::Merge(g) => g.min(self.filt.h).saturating_mul(n),
            Mode::Expand(parts) => parts.saturating_add(n.div_ceil(parts)),
        };
        work.saturating_add(d1 + 3)
    }

    /// Padded-input element (r, c) as a scratchpad source: padding is an
    /// inserted zero, the rest an ifmap element; also its multicast id.
    fn input(&self, r: u64, c: u64) -> (Src, Option<u32>) {
        let (p, i) = (self.layer.pad, self.layer.ifmap);
        if r < p.h || c < p.w || r - p.h >= i.h || c - p.w >= i.w {
            return (Src::ZERO, None);
        }
        let (r, c) = (r - p.h, c - p.w);
        (Src::new(SrcKind::Ifmap, r, c), Some((r * i.w + c) as u32))
    }

    /// Error term t (row-major) as a scratchpad source.
    fn error(&self, t: u64) -> Src {
        Src::new(SrcKind::Error, t / self.err.w, t % self.err.w)
    }

    fn placement(&self) -> Placement {
        let grouping = match self.mode {
            Mode::Merge(g) => format!("PE (p, x): filter-gradient elements dW[y][x] for y in {g}p..{g}p+{g}, one after another"),
            Mode::Expand(k) => format!(
                "PE (y*{k} + r, x): sub-row r of dW[y][x], a consecutive chunk of its {} terms; sub-rows add up the column, r = 0 writes",
                self.terms()
            ),
        };
        Placement {
            rules: vec![
                grouping,
                format!(
                    "term (i, j) multiplies error (i, j) by padded input (y + i*{}, x + j*{})",
                    self.stride.h, self.stride.w
                ),
                "error broadcast to each sub-row (one group per sub-row); input elements multicast to the PEs that use them".to_string(),
                "padding zeros are generated in the PE (counted as zero MACs)".to_string(),
            ],
        }
    }
}

/// Merge PE (p, x): filter rows y0..y1, each a run of n reads into psum
/// slot 0; the last term of each element leaves for the global buffer.
fn merge_pe(shape: &FgradShape, group: u64, p: u64, x: u64, d1: u64) -> (Timeline, PeSchedule) {
    let (y0, y1) = (p * group, ((p + 1) * group).min(shape.filt.h));
    let (s, n, ew) = (shape.stride, shape.terms(), shape.err.w);
    // Input rows the PE needs, ascending and once each (an element used by
    // several of its filter rows is stored once).
    let mut in_rows: Vec<u64> = (y0..y1)
        .flat_map(|y| (0..shape.err.h).map(move |i| y + i * s.h))
        .collect();
    in_rows.sort_unstable();
    in_rows.dedup();
    let mut pe = PeSchedule {
        psum_entries: 1,
        filter_groups: vec![0],
        filter_init: (0..n).map(|t| shape.error(t)).collect(),
        ..PeSchedule::default()
    };
    for &r in &in_rows {
        for j in 0..ew {
            let (src, id) = shape.input(r, x + j * s.w);
            pe.ifmap_init.push(src);
            pe.ifmap_groups.extend(id);
        }
    }
    let mut line = Timeline::default();
    let mut t_read = 1;
    for y in y0..y1 {
        for t in 0..n {
            let (i, j) = (t / ew, t % ew);
            let rank = in_rows.partition_point(|&r| r < y + i * s.h) as u64;
            line.read(t_read, (rank * ew + j) as u32, t as u32);
            let c = t_read + d1;
            let last = t + 1 == n;
            line.adder(
                c,
                Word {
                    psum_rd: (t > 0).then_some(0).into(),
                    psum_wr: (!last).then_some(0).into(),
                    push: last,
                    ..Word::default()
                },
            );
            if last {
                line.out(c + 1, (y * shape.filt.w + x) as u32);
            }
            t_read += 1;
        }
    }
    (line, pe)
}

/// Expand PE (y·parts + r, x): the terms of chunk r of dW[y][x]. The terms
/// split evenly; the bottom sub-row starts
/// at cycle 2 and each one above a cycle later.
fn expand_pe(
    shape: &FgradShape,
    parts: u64,
    p: u64,
    x: u64,
    d1: u64,
    takes: &[u64],
) -> (Timeline, PeSchedule) {
    let (y, r) = (p / parts, p % parts);
    let (terms, first_read) = chunk(shape.terms(), parts, r);
    let (s, ew) = (shape.stride, shape.err.w);
    let mut pe = PeSchedule {
        psum_entries: 1,
        filter_groups: vec![r as u32],
        ..PeSchedule::default()
    };
    let mut line = Timeline::default();
    for (u, t) in terms.clone().enumerate() {
        let (src, id) = shape.input(y + (t / ew) * s.h, x + (t % ew) * s.w);
        pe.ifmap_init.push(src);
        pe.ifmap_groups.extend(id);
        pe.filter_init.push(shape.error(t));
        line.read(first_read + u as u64, u as u32, u as u32);
        let c = first_read + u as u64 + d1;
        let last = t + 1 == terms.end;
        // The bottom sub-row pushes its last sum; the others keep it for
        // the psum arriving from below.
        let push = last && r + 1 == parts;
        line.adder(
            c,
            Word {
                psum_rd: (u > 0).then_some(0).into(),
                psum_wr: (!push).then_some(0).into(),
                push,
                ..Word::default()
            },
        );
        if push && r == 0 {
            line.out(c + 1, (y * shape.filt.w + x) as u32);
        }
    }
    if let Some(&c) = takes.get(r as usize) {
        // Add the sum of the sub-row below and pass the total on.
        line.adder(
            c,
            Word {
                psum_rd: Slot::new(0),
                take_in: true,
                push: true,
                ..Word::default()
            },
        );
        if r == 0 {
            line.out(c + 1, (y * shape.filt.w + x) as u32);
        }
    }
    (line, pe)
}

/// Terms of chunk r (of `parts`) of n terms, and the first read cycle of
/// sub-row r. The terms are split evenly: the first n mod parts chunks get
/// one term more than the others (the original put the whole remainder in
/// chunk 0, which then needed up to |g| - 1 more scratchpad entries).
fn chunk(n: u64, parts: u64, r: u64) -> (std::ops::Range<u64>, u64) {
    let (base, rem) = (n / parts, n % parts);
    let start = r * base + r.min(rem);
    let len = base + u64::from(r < rem);
    (start..start + len, 1 + parts - r)
}

/// Adder cycle of the last product of sub-row r.
fn last_product(n: u64, parts: u64, r: u64, d1: u64) -> u64 {
    let (own, start) = chunk(n, parts, r);
    start + (own.end - own.start) - 1 + d1
}

/// For every sub-row but the bottom one, the adder cycle at which it takes
/// the sum from below: after its own last product, and once the sum pushed
/// by the sub-row below has moved up (one cycle after the push). With the
/// one-cycle skew this is the cycle right after its last product, as in
/// the original. Computed bottom-up; indexed by sub-row.
fn take_cycles(n: u64, parts: u64, d1: u64) -> Vec<u64> {
    let mut takes = vec![0; parts.saturating_sub(1) as usize];
    let mut below_push = last_product(n, parts, parts - 1, d1);
    for r in (0..parts - 1).rev() {
        let c = (last_product(n, parts, r, d1) + 1).max(below_push + 1);
        takes[r as usize] = c;
        below_push = c;
    }
    takes
}

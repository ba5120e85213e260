//! Row-stationary mapping (Chen et al., ISCA 2016; the original's
//! `conv.py`): PE (x, y) keeps filter row x and input row x + y·s_h, slides
//! the filter row along the input row (one window per output column), and
//! the psums of column y add up the column into output row y.

use super::{Pass, PassError};
use crate::diag::Diagnostic;
use crate::ir::{eval, LogicalSet, Module, OutKind, PeSchedule, Placement, SrcMatrix, Word};
use crate::model::Hw;
use crate::options::PassKind;
use crate::pipeline::MAX_PE_CYCLES;

pub struct RsMap;

impl Pass for RsMap {
    fn name(&self) -> &'static str {
        "rs-map"
    }
    fn description(&self) -> &'static str {
        "map the 2-D convolution onto a row-stationary logical PE set (filter rows x output rows)"
    }
    fn run(&self, m: &mut Module) -> Result<(), PassError> {
        require_single_cycle_adder(m)?;
        let graph = m
            .graph
            .as_ref()
            .ok_or_else(|| PassError::internal("rs-map", "no graph: select did not run"))?;
        let (stride, x, k, _) = graph
            .conv()
            .ok_or_else(|| PassError::internal("rs-map", "the graph has no conv2d"))?;
        let shape = |n| {
            graph
                .shape(n)
                .ok_or_else(|| PassError::internal("rs-map", "conv operand is not a tensor"))
        };
        refuse_if_too_large(m, shape(x)?, shape(k)?, stride)?;
        let xm = eval(graph, x)
            .ok_or_else(|| PassError::internal("rs-map", "conv input is not evaluable"))?;
        let km = eval(graph, k)
            .ok_or_else(|| PassError::internal("rs-map", "conv kernel is not evaluable"))?;
        let out_kind = out_kind(m.pass);
        m.set = Some(rs_set(
            &xm,
            &km,
            stride,
            out_kind,
            m.arch.pipeline_mul,
            m.arch.pipeline_add,
        ));
        Ok(())
    }
}

/// Refuses a set whose dense schedule (PEs x cycles of control) would
/// exceed [`MAX_PE_CYCLES`], before building it.
pub(super) fn refuse_if_too_large(m: &Module, x: Hw, k: Hw, stride: Hw) -> Result<(), PassError> {
    let rows = k.h;
    let cols = (x.h - k.h) / stride.h + 1;
    let windows = (x.w - k.w) / stride.w + 1;
    let length = (rows + windows.saturating_mul(k.w + 1))
        .saturating_add(m.arch.pipeline_mul + m.arch.pipeline_add + 2);
    let size = rows.saturating_mul(cols).saturating_mul(length);
    if size <= MAX_PE_CYCLES {
        return Ok(());
    }
    Err(PassError::refused(
        Diagnostic::error(
            "E0204",
            format!("the row-stationary schedule of one 2-D convolution would be {rows} x {cols} PEs over {length} cycles"),
        )
        .with_primary(m.layer.span, "this layer")
        .with_note(format!("cnnc simulates at most {MAX_PE_CYCLES} PE-cycles of control per 2-D convolution"))
        .with_help("simulate a smaller layer, or a tile of this one"),
    ))
}

/// The output a pass produces.
pub(super) fn out_kind(pass: PassKind) -> OutKind {
    match pass {
        PassKind::Forward => OutKind::Ofmap,
        PassKind::Igrad => OutKind::InputGrad,
        _ => OutKind::FilterGrad,
    }
}

/// Both schedules add a psum every cycle in place; an adder that takes more
/// than one cycle would read a stale psum.
pub(super) fn require_single_cycle_adder(m: &Module) -> Result<(), PassError> {
    if m.arch.pipeline_add == 1 {
        return Ok(());
    }
    Err(PassError::refused(
        Diagnostic::error(
            "E0201",
            format!(
                "arch `{}` has `pipeline.add = {}`; the schedules accumulate a psum every cycle and need a single-cycle adder",
                m.arch.name, m.arch.pipeline_add
            ),
        )
        .with_primary(m.arch.span, "this arch")
        .with_help("set `pipeline.add = 1` (the Eyeriss adder)"),
    ))
}

/// The timing of one row-stationary set (the original's §3.2 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsGeometry {
    /// PE rows (kernel rows) and columns (output rows).
    pub rows: u64,
    pub cols: u64,
    /// Windows per PE (output columns).
    pub windows: u64,
    /// Kernel row length.
    pub taps: u64,
    /// Window period: taps plus one bubble.
    pub period: u64,
    /// Read-to-psum distance assumed by the schedule (mul + add).
    pub d: u64,
    /// Cycles before the bottom row's first read.
    pub start: u64,
}

impl RsGeometry {
    fn skew(&self, x: u64) -> u64 {
        self.rows - 1 - x
    }
    /// First read of window j in row x.
    pub fn begin(&self, x: u64, j: u64) -> u64 {
        self.start + self.skew(x) + j * self.period
    }
    /// Last read of window j in row x.
    pub fn end(&self, x: u64, j: u64) -> u64 {
        self.begin(x, j) + self.taps - 1
    }
    /// Cycles of control: one after the last output write.
    pub fn length(&self) -> u64 {
        let last = self.end(0, self.windows - 1);
        if self.rows >= 2 {
            last + self.d + 2
        } else {
            last + self.d + 1
        }
    }
}

/// How a row-stationary set is timed and how much scratchpad it uses. The
/// per-pass model uses [`RsTiming::preloaded`]; physical passes stretch the
/// period and start until the networks can deliver the data in time, and
/// stream the input row through a circular scratchpad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsTiming {
    /// Window period, at least taps + 1 (the extra cycles wait for data).
    pub period: u64,
    /// Cycles before the bottom row's first read.
    pub start: u64,
    /// The ifmap scratchpad as a ring of this many entries; `None`: the
    /// whole input row is preloaded.
    pub ifmap_ring: Option<u64>,
    /// Psum slots, reused window after window; `None`: one per window.
    pub psum_slots: Option<u64>,
    /// Map only the first `cols` output rows (a strip of a wider set).
    pub cols: Option<u64>,
}

impl RsTiming {
    /// The original's timing, scratchpads preloaded and sized to fit.
    pub fn preloaded(taps: u64) -> RsTiming {
        RsTiming {
            period: taps + 1,
            start: 0,
            ifmap_ring: None,
            psum_slots: None,
            cols: None,
        }
    }
}

/// Builds the row-stationary set for `O = conv(X, K, stride)`.
pub fn rs_set(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    out_kind: OutKind,
    mul: u64,
    add: u64,
) -> LogicalSet {
    rs_set_timed(x, k, stride, out_kind, mul, add, RsTiming::preloaded(k.w))
}

/// The geometry of the set `rs_set_timed` builds.
pub fn rs_geometry(x: Hw, k: Hw, stride: Hw, mul: u64, add: u64, timing: RsTiming) -> RsGeometry {
    let out_rows = (x.h - k.h) / stride.h + 1;
    RsGeometry {
        rows: k.h,
        cols: timing.cols.map_or(out_rows, |c| c.min(out_rows)),
        windows: (x.w - k.w) / stride.w + 1,
        taps: k.w,
        period: timing.period.max(k.w + 1),
        d: mul + add,
        start: timing.start,
    }
}

/// Builds a row-stationary set with the given timing and scratchpad use.
#[allow(clippy::too_many_arguments)]
pub fn rs_set_timed(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    out_kind: OutKind,
    mul: u64,
    add: u64,
    timing: RsTiming,
) -> LogicalSet {
    let out = Hw::new((x.h - k.h) / stride.h + 1, (x.w - k.w) / stride.w + 1);
    let geo = rs_geometry(
        Hw::new(x.h, x.w),
        Hw::new(k.h, k.w),
        stride,
        mul,
        add,
        timing,
    );
    let ring = |a: u64| timing.ifmap_ring.map_or(a, |c| a % c);
    let slot = |j: u64| timing.psum_slots.map_or(j, |q| j % q) as u32;
    let len = geo.length() as usize;
    let bottom = geo.rows - 1;
    let mut pes = Vec::with_capacity((geo.rows * geo.cols) as usize);
    for px in 0..geo.rows {
        for py in 0..geo.cols {
            let in_row = px + py * stride.h;
            let mut words = vec![Word::default(); len];
            for j in 0..geo.windows {
                let (b, e) = (geo.begin(px, j), geo.end(px, j));
                for i in 0..geo.taps {
                    let w = &mut words[(b + i) as usize];
                    w.ifm = Some(ring(i + j * stride.w) as u32);
                    w.fil = Some(i as u32);
                }
                // Products land in psum slot j from read + d - 1 on; the
                // bottom row's last one leaves at once instead of being stored.
                for t in (b + geo.d - 1)..=(e + geo.d - 1) {
                    let last = t == e + geo.d - 1;
                    if !(last && px == bottom) {
                        words[t as usize].psum_wr = Some(slot(j));
                    }
                    if t > b + geo.d - 1 {
                        words[t as usize].psum_rd = Some(slot(j));
                    }
                }
                let push_at = if px == bottom {
                    e + geo.d - 1
                } else {
                    e + geo.d
                };
                if px != bottom {
                    // The bubble slot adds the psum arriving from below to the row sum.
                    let w = &mut words[(e + geo.d) as usize];
                    w.take_in = true;
                    w.psum_rd = Some(slot(j));
                }
                words[push_at as usize].push = true;
                if px == 0 {
                    words[(push_at + 1) as usize].out = Some((py * out.w + j) as u32);
                }
            }
            // Streamed scratchpads start empty; the deliveries fill them.
            let streamed = timing.ifmap_ring.is_some();
            pes.push(PeSchedule {
                ifmap_init: if streamed {
                    Vec::new()
                } else {
                    (0..x.w).map(|c| x.at(in_row, c)).collect()
                },
                filter_init: if streamed {
                    Vec::new()
                } else {
                    (0..k.w).map(|c| k.at(px, c)).collect()
                },
                ifmap_capacity: timing.ifmap_ring.unwrap_or(0) as u32,
                filter_capacity: if streamed { k.w as u32 } else { 0 },
                psum_entries: timing.psum_slots.unwrap_or(geo.windows) as u32,
                words,
                ifmap_groups: vec![in_row as u32],
                filter_groups: vec![px as u32],
            });
        }
    }
    // A strip maps the first output rows only; the output tensor keeps its
    // full shape (the other strips are the same schedule on other rows).
    LogicalSet {
        rows: geo.rows as u32,
        cols: geo.cols as u32,
        pes,
        out_kind,
        out_shape: out,
        placement: Placement {
            rules: vec![
                format!("PE (x, y): filter row x of {}, input row x + y*{} of {}", k.h, stride.h, x.h),
                format!("PE (x, y): {} windows of {} taps, step {}, psum slot j = window j", geo.windows, geo.taps, stride.w),
                "psums move up column y; row 0 writes output row y".to_string(),
                format!("ifmap multicast: diagonals x + y*{} ({} groups); filter multicast: rows ({} groups)", stride.h, x.h, k.h),
                format!("timing: skew rows-1-x, window period {}, read-to-psum {}", geo.period, geo.d),
            ],
        },
        analytic_macs: k.h * k.w * geo.cols * out.w,
        deliveries: Vec::new(),
        stream: None,
    }
}

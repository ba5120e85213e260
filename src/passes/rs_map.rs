//! Row-stationary mapping (Chen et al., ISCA 2016; the original's
//! `conv.py`): PE (x, y) keeps filter row x and input row x + y·s_h, slides
//! the filter row along the input row (one window per output column), and
//! the psums of column y add up the column into output row y.

use super::MAX_PE_CYCLES;
use super::{Part, Pass, PassError, PassOptions};
use crate::diag::Diagnostic;
use crate::ir::Slot;
use crate::ir::{eval, LogicalSet, Module, OutKind, PeSchedule, Placement, SrcMatrix, Word};
use crate::model::Hw;

pub struct RsMap;

impl Pass for RsMap {
    fn name(&self) -> &'static str {
        "rs-map"
    }
    fn description(&self) -> &'static str {
        "map the 2-D convolution onto a row-stationary logical PE set (filter rows x output rows)"
    }
    fn needs(&self) -> &'static [Part] {
        &[Part::Graph]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn files(&self) -> &'static [&'static str] {
        &["rs_map.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"row-stationary: PE (x, y) keeps kernel row x and input row x + y·s_h, slides along the row (one window per output column, psum slot j for window j) and adds up the column; row 0 writes output row y. Rows start skewed by one cycle so each row finishes a window one cycle after the row below."#
    }
    fn run(&self, m: &mut Module, _opts: &PassOptions) -> Result<(), PassError> {
        let graph = super::needed(m.graph.as_ref());
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
        let out_kind = OutKind::of(m.pass);
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
    let add = m.arch.pipeline_add;
    // Saturating throughout: the arch's depths are bounded by the checker,
    // but a huge layer must still compare as huge, not wrap to small.
    let length = rows
        .saturating_mul(add)
        .saturating_add(windows.saturating_mul(RsTiming::min_period(k.w, add)))
        .saturating_add(m.arch.pipeline_mul)
        .saturating_add(add.saturating_mul(2))
        .saturating_add(2);
    let size = rows.saturating_mul(cols).saturating_mul(length);
    if size <= MAX_PE_CYCLES {
        return Ok(());
    }
    Err(PassError::refused(
        Diagnostic::error(
            crate::diag::Code::ScheduleTooLarge,
            format!("the row-stationary schedule of one 2-D convolution would be {rows} x {cols} PEs over {length} cycles"),
        )
        .with_primary(m.layer.span, "this layer")
        .with_note(format!("cnnc simulates at most {MAX_PE_CYCLES} PE-cycles of control per 2-D convolution"))
        .with_help("simulate a smaller layer, or a tile of this one"),
    ))
}

/// The Grad-Flow schedules add a psum every cycle in place; an adder that
/// takes more than one cycle would read a stale psum. (Row-stationary
/// spaces its taps by the adder latency instead.)
pub(super) fn require_single_cycle_adder_for_gflow(m: &Module) -> Result<(), PassError> {
    if m.arch.pipeline_add == 1 {
        return Ok(());
    }
    Err(PassError::refused(
        Diagnostic::error(
            crate::diag::Code::GflowAdder,
            format!(
                "arch `{}` has `pipeline.add = {}`; the Grad-Flow schedules accumulate a psum every cycle and need a single-cycle adder",
                m.arch.name, m.arch.pipeline_add
            ),
        )
        .with_primary(m.arch.span, "this arch")
        .with_help("set `pipeline.add = 1` (the Eyeriss adder), or use `--dataflow rs`"),
    ))
}

/// The layout of one row-stationary set in PEs and cycles: its shape and
/// when each PE reads each tap (the original's §3.2 names). Resolved from
/// the requested [`RsTiming`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsLayout {
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
    /// Adder latency: taps of a window are read this many cycles apart, so
    /// each add finds the previous one's sum in the psum slot.
    pub add: u64,
    /// Cycles before the bottom row's first read.
    pub start: u64,
}

impl RsLayout {
    /// Start offset of PE row x: one cycle above the bottom row, then `add`
    /// more per row, so a psum forwarded up arrives as its row needs it.
    fn skew(&self, x: u64) -> u64 {
        let from_bottom = self.rows - 1 - x;
        if from_bottom == 0 {
            0
        } else {
            1 + (from_bottom - 1) * self.add
        }
    }
    /// Cycle of tap i of window j in row x.
    pub fn read(&self, x: u64, j: u64, i: u64) -> u64 {
        self.begin(x, j) + i * self.add
    }
    /// First read of window j in row x.
    pub fn begin(&self, x: u64, j: u64) -> u64 {
        self.start + self.skew(x) + j * self.period
    }
    /// Last read of window j in row x.
    pub fn end(&self, x: u64, j: u64) -> u64 {
        self.read(x, j, self.taps - 1)
    }
    /// Cycle row x pushes window j's psum: the bottom row its own row sum,
    /// the others the sum with the psum from below.
    fn push(&self, x: u64, j: u64) -> u64 {
        let e = self.end(x, j);
        if x == self.rows - 1 {
            e + self.d - 1
        } else {
            e + self.d + self.add - 1
        }
    }
    /// Cycles of control: one after the last output write.
    pub fn length(&self) -> u64 {
        self.push(0, self.windows - 1) + 2
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
    /// The shortest window period: the taps `add` cycles apart, and one
    /// more cycle for the psum from below (the original's taps + 1).
    pub fn min_period(taps: u64, add: u64) -> u64 {
        taps.saturating_mul(add).saturating_add(1)
    }

    /// The original's timing, scratchpads preloaded and sized to fit.
    pub fn preloaded(taps: u64, add: u64) -> RsTiming {
        RsTiming {
            period: RsTiming::min_period(taps, add),
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
    rs_set_timed(
        x,
        k,
        stride,
        out_kind,
        mul,
        add,
        RsTiming::preloaded(k.w, add),
    )
}

/// The layout of the set `rs_set_timed` builds.
pub fn rs_layout(x: Hw, k: Hw, stride: Hw, mul: u64, add: u64, timing: RsTiming) -> RsLayout {
    let out_rows = (x.h - k.h) / stride.h + 1;
    RsLayout {
        rows: k.h,
        cols: timing.cols.map_or(out_rows, |c| c.min(out_rows)),
        windows: (x.w - k.w) / stride.w + 1,
        taps: k.w,
        period: timing.period.max(RsTiming::min_period(k.w, add)),
        d: mul + add,
        add,
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
    let lay = rs_layout(
        Hw::new(x.h, x.w),
        Hw::new(k.h, k.w),
        stride,
        mul,
        add,
        timing,
    );
    let ring = |a: u64| timing.ifmap_ring.map_or(a, |c| a % c);
    let slot = |j: u64| timing.psum_slots.map_or(j, |q| j % q) as u32;
    let len = lay.length() as usize;
    let bottom = lay.rows - 1;
    let mut pes = Vec::with_capacity((lay.rows * lay.cols) as usize);
    for px in 0..lay.rows {
        for py in 0..lay.cols {
            let in_row = px + py * stride.h;
            let mut words = vec![Word::default(); len];
            for j in 0..lay.windows {
                let e = lay.end(px, j);
                for i in 0..lay.taps {
                    let w = &mut words[lay.read(px, j, i) as usize];
                    w.ifm = Slot::new(ring(i + j * stride.w) as u32);
                    w.fil = Slot::new(i as u32);
                    // The product meets the adder `mul` cycles after the
                    // read; tap i > 0 adds the running sum in slot j, and the
                    // result is stored `add - 1` cycles later. The bottom
                    // row's last sum leaves at once instead of being stored.
                    let at = lay.read(px, j, i) + mul;
                    if i > 0 {
                        words[at as usize].psum_rd = Slot::new(slot(j));
                    }
                    if !(i == lay.taps - 1 && px == bottom) {
                        words[(at + add - 1) as usize].psum_wr = Slot::new(slot(j));
                    }
                }
                if px != bottom {
                    // The cycle after the row sum is stored adds the psum
                    // arriving from below to it.
                    let w = &mut words[(e + lay.d) as usize];
                    w.take_in = true;
                    w.psum_rd = Slot::new(slot(j));
                }
                let push_at = lay.push(px, j);
                words[push_at as usize].push = true;
                if px == 0 {
                    words[(push_at + 1) as usize].out = Slot::new((py * out.w + j) as u32);
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
                psum_entries: timing.psum_slots.unwrap_or(lay.windows) as u32,
                words,
                ifmap_groups: vec![in_row as u32],
                filter_groups: vec![px as u32],
            });
        }
    }
    // A strip maps the first output rows only; the output tensor keeps its
    // full shape (the other strips are the same schedule on other rows).
    LogicalSet {
        rows: lay.rows as u32,
        cols: lay.cols as u32,
        pes,
        out_kind,
        out_shape: out,
        placement: Placement {
            rules: vec![
                format!("PE (x, y): filter row x of {}, input row x + y*{} of {}", k.h, stride.h, x.h),
                format!("PE (x, y): {} windows of {} taps, step {}, psum slot j = window j", lay.windows, lay.taps, stride.w),
                "psums move up column y; row 0 writes output row y".to_string(),
                format!("ifmap multicast: diagonals x + y*{} ({} groups); filter multicast: rows ({} groups)", stride.h, x.h, k.h),
                format!("timing: skew rows-1-x, window period {}, read-to-psum {}", lay.period, lay.d),
            ],
        },
        analytic_macs: k.h * k.w * lay.cols * out.w,
        deliveries: Vec::new(),
        stream: None,
        top_rows: Vec::new(),
        gflow_group: None,
    }
}

//! The simulator's statistics types, all of them: `pass_stats` (one 2-D
//! convolution on its whole logical PE set, and the per-PE rows) and
//! `physical_stats` (one physical processing pass). `stats` renders them;
//! the layer model's are `cost::layer::LayerStats`, the reports
//! `backend::report`.

use serde::Serialize;

use super::{Mismatch, PeCounters, Run};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeSet {
    pub rows: u32,
    pub cols: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassStats {
    /// From the first cycle until the last output reaches the global buffer
    /// (counted as the original counts it; see docs/stats.md).
    pub cycles: u64,
    /// Longest span, over PEs, from a PE's first to its last MAC read, inclusive.
    pub busy_cycles: u64,
    pub macs: u64,
    pub zero_macs: u64,
    pub verified: bool,
    /// Cycles of control executed, and drain steps after them.
    pub control_cycles: u64,
    pub drain_steps: u64,
    /// Cycles from the first to the last output write.
    pub glb_write_span: u64,
    pub glb_writes: u64,
    pub psum_hops: u64,
    /// Necessary MACs (without inserted zeros) / (PEs x cycles): the one
    /// meaning of utilisation in cnnc (docs/stats.md).
    pub utilisation: f64,
    /// MAC slots used, inserted zeros included / (PEs x control cycles).
    pub mac_slot_use: f64,
    /// Multiplications by zero whose energy zero gating saved.
    pub zero_gated: u64,
    /// The first wrong outputs (at most 10), when not verified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
}

/// One PE's counters, for the per-PE table, the `pes` JSON array and CSV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeRow {
    pub x: u32,
    pub y: u32,
    #[serde(flatten)]
    pub n: PeCounters,
    pub busy_span: u64,
    /// This PE's necessary MACs / the pass's cycles.
    pub utilisation: f64,
    /// This PE's MACs, inserted zeros included / cycles of control.
    pub mac_slot_use: f64,
}

/// Builds `pass_stats` and the per-PE rows from a run.
pub fn pass_stats(run: &Run, cols: u32, mismatches: Vec<Mismatch>) -> (PassStats, Vec<PeRow>) {
    let n = run.pes.len().max(1) as f64;
    let len = run.length.max(1) as f64;
    let cycles = run.cycles().max(1) as f64;
    let pes: Vec<PeRow> = run
        .pes
        .iter()
        .enumerate()
        .map(|(i, c)| PeRow {
            x: i as u32 / cols.max(1),
            y: i as u32 % cols.max(1),
            n: *c,
            busy_span: c.busy_span(),
            utilisation: c.macs.saturating_sub(c.zero_macs) as f64 / cycles,
            mac_slot_use: c.macs as f64 / len,
        })
        .collect();
    let hops = run.pes.iter().map(|c| c.in_psum_puts).sum();
    let stats = PassStats {
        cycles: run.cycles(),
        busy_cycles: run.busy_cycles(),
        macs: run.macs(),
        zero_macs: run.zero_macs(),
        verified: mismatches.is_empty(),
        control_cycles: run.length,
        drain_steps: run.drain_steps,
        glb_write_span: run.write_span(),
        glb_writes: run.pes.iter().map(|c| c.glb_writes).sum(),
        psum_hops: hops,
        utilisation: run.macs().saturating_sub(run.zero_macs()) as f64 / (n * cycles),
        mac_slot_use: run.macs() as f64 / (n * len),
        zero_gated: run.zero_gated,
        mismatches: mismatches.into_iter().take(10).collect(),
    };
    (stats, pes)
}

/// `physical_stats`: the first processing pass of the whole-layer
/// simulation (`sim::simulate_layer`), as it ran on the arch's array: the
/// same pass model the layer's figures add up, seen one pass at a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhysicalStats {
    /// The array rows and columns the pass's program spans.
    pub pe_set: PeSet,
    /// Output rows the pass computes (its strip), of the 2-D problem's
    /// output rows.
    pub strip_rows: u32,
    pub output_rows: u64,
    /// From the first cycle until the last output reaches the global buffer
    /// (same convention as `pass_stats.cycles`), deliveries included.
    pub cycles: u64,
    pub control_cycles: u64,
    pub busy_cycles: u64,
    /// Cycles per window, and the least the schedule allows: a longer
    /// period waits for data the networks cannot deliver sooner.
    pub window_period: u64,
    pub min_window_period: u64,
    /// Cycles the first reads wait for data.
    pub start_cycles: u64,
    pub macs: u64,
    pub zero_macs: u64,
    /// Elements the global buffer sent on each network (one per multicast),
    /// and inserted zeros the PEs wrote themselves.
    pub ifmap_sends: u64,
    pub filter_sends: u64,
    pub local_fills: u64,
    /// Scratchpad entries a PE of the pass uses (the ifmap side as rings),
    /// the most over its PEs.
    pub rf_ifmap_used: u64,
    pub rf_filter_used: u64,
    pub rf_psum_used: u64,
    pub verified: bool,
}

impl PhysicalStats {
    pub fn text(&self) -> String {
        format!(
            "physical_stats (the layer's first processing pass on the array, pe_set {} x {}):\n  \
             cycles {} (control_cycles {}, busy_cycles {}), start_cycles {}, window_period {} (min_window_period {})\n  \
             macs {} (zero_macs {}), ifmap_sends {}, filter_sends {}, local_fills {}\n  \
             rf_ifmap_used {} (ring), rf_filter_used {}, rf_psum_used {}; strip_rows {} of output_rows {}; verified {}\n",
            self.pe_set.rows,
            self.pe_set.cols,
            self.cycles,
            self.control_cycles,
            self.busy_cycles,
            self.start_cycles,
            self.window_period,
            self.min_window_period,
            self.macs,
            self.zero_macs,
            self.ifmap_sends,
            self.filter_sends,
            self.local_fills,
            self.rf_ifmap_used,
            self.rf_filter_used,
            self.rf_psum_used,
            self.strip_rows,
            self.output_rows,
            self.verified
        )
    }
}

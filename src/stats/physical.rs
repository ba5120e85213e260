//! `physical_stats`: one physical processing pass of the row-stationary
//! dataflow, simulated cycle by cycle on the arch's array with its
//! scratchpad sizes and network bandwidths.

use serde::Serialize;

use super::PeSet;
use crate::sim::PassOutcome;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhysicalStats {
    /// The PEs the pass occupies: kernel rows x the strip of output rows.
    pub pe_set: PeSet,
    /// Output rows the strip computes, of the pass's output rows.
    pub strip_rows: u32,
    pub output_rows: u64,
    /// From the first cycle until the last output reaches the global buffer
    /// (same convention as `pass_stats.cycles`), deliveries included.
    pub cycles: u64,
    pub control_cycles: u64,
    pub busy_cycles: u64,
    /// Cycles per window, and the least the schedule allows (taps + 1):
    /// a longer period waits for data the networks cannot deliver sooner.
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
    /// Scratchpad entries used per PE (the ifmap side as a ring).
    pub rf_ifmap_used: u64,
    pub rf_filter_used: u64,
    pub rf_psum_used: u64,
    pub verified: bool,
}

impl PhysicalStats {
    pub fn new(o: &PassOutcome) -> Option<PhysicalStats> {
        let set = o.module.set.as_ref()?;
        let timing = set.stream?;
        let plan = o.module.plan.as_ref()?;
        Some(PhysicalStats {
            pe_set: PeSet {
                rows: set.rows,
                cols: set.cols,
            },
            strip_rows: set.cols,
            output_rows: set.out_shape.h,
            cycles: o.stats.cycles,
            control_cycles: o.stats.control_cycles,
            busy_cycles: o.stats.busy_cycles,
            window_period: timing.window_period,
            min_window_period: timing.min_window_period,
            start_cycles: timing.start,
            macs: o.stats.macs,
            zero_macs: o.stats.zero_macs,
            ifmap_sends: o.run.ifmap_sends,
            filter_sends: o.run.filter_sends,
            local_fills: o.run.local_fills,
            rf_ifmap_used: plan.rf_ifmap_need,
            rf_filter_used: plan.rf_filter_need,
            rf_psum_used: plan.rf_psum_need,
            verified: o.stats.verified,
        })
    }

    pub fn text(&self) -> String {
        format!(
            "physical_stats (one physical pass: a {} x {} strip on the array, data streamed):\n  \
             cycles {} (control {}, busy {}), start {} cycles, window period {} (minimum {})\n  \
             macs {} (zero {}), sends: ifmap {}, filter {}, local zero fills {}\n  \
             scratchpads used: ifmap {} (ring), filter {}, psum {}; output rows {} of {}; verified {}\n",
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

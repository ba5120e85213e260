//! The whole layer's totals: what each processing pass's run adds, the
//! pass counted as many times as it runs.

use super::layer_program::Compiled;
use super::layer_simulation::{LayerSimulation, RfCounts};
use super::{PeCounters, Run};
use crate::ir::PassShape;
use crate::model::Hw;

/// What one run adds to the layer's totals ([`add_run`]). Full mode keeps
/// this for every pass rather than the run, whose per-PE counters and
/// outputs made AlexNet CONV1's filter gradient (207 936 passes) peak at
/// 7.9 GB.
#[derive(Debug, Clone, Copy)]
pub(super) struct RunTotals {
    pub(super) cycles: u64,
    pub(super) drain_steps: u64,
    pub(super) macs: u64,
    pub(super) zero_macs: u64,
    pub(super) ifmap_sends: u64,
    pub(super) filter_sends: u64,
    pub(super) psum_sends: u64,
    pub(super) local_fills: u64,
    pub(super) ifmap_arrivals: u64,
    pub(super) filter_arrivals: u64,
    /// The PEs' counters summed.
    pub(super) pes: PeCounters,
}

impl RunTotals {
    pub(super) fn of(run: &Run) -> RunTotals {
        let mut pes = PeCounters::default();
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
pub(super) fn add_run(
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

/// Adds one run's necessary MACs to the array's PEs, `times` times; the
/// program's PE `i` is the array's PE (`i / cols`, `i % cols`). The grid
/// grows rather than drop a count should a program span more than the
/// array (the compiler's fit check forbids it).
pub(super) fn add_pe_macs(
    sim: &mut LayerSimulation,
    pes: &[u64],
    cols: u64,
    times: u64,
) -> Option<()> {
    let grid = &mut sim.pe_necessary_macs;
    let cols = cols.max(1) as usize;
    for (i, &n) in pes.iter().enumerate() {
        let (x, y) = (i / cols, i % cols);
        if grid.len() <= x {
            grid.resize(x + 1, Vec::new());
        }
        let row = &mut grid[x];
        if row.len() <= y {
            row.resize(y + 1, 0);
        }
        row[y] = row[y].checked_add(n.checked_mul(times)?)?;
    }
    Some(())
}

/// Each PE's necessary MACs in one run (inserted zeros left out).
pub(super) fn necessary_per_pe(run: &Run) -> Vec<u64> {
    run.pes
        .iter()
        .map(|p| p.macs.saturating_sub(p.zero_macs))
        .collect()
}

/// Most PEs whose grid is laid out before the runs; a larger array's grid
/// grows to the PEs the programs span (`add_pe_macs`), so an absurd
/// `array` costs no memory of its own.
const MAX_GRID_PES: u64 = 1 << 16;

fn pe_grid(array: Hw) -> Vec<Vec<u64>> {
    if array.area() > MAX_GRID_PES {
        return Vec::new();
    }
    vec![vec![0; array.w as usize]; array.h as usize]
}

/// A layer simulation with nothing counted yet, on an array of `array`
/// PEs.
pub(super) fn empty(mode: &'static str, array: Hw) -> LayerSimulation {
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
        pe_necessary_macs: pe_grid(array),
        verified: true,
        verified_outputs: 0,
        mismatches: Vec::new(),
        steps: None,
        bank_traces: Vec::new(),
        first_pass: None,
    }
}

//! Compiles one pass of one layer and runs it: the stages in order, for the
//! backend and for tests.

use crate::diag::Diagnostic;
use crate::ir::{Module, OutKind};
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, PassKind};
use crate::passes::run_pipeline;
use crate::sim::{self, data::Slices, reference, ArrayParams, Run};
use crate::sim::{pass_stats, PassStats, PeRow};

pub use crate::passes::MAX_PE_CYCLES;

/// A compiled and simulated pass.
#[derive(Debug, Clone)]
pub struct PassOutcome {
    pub module: Module,
    /// The data seed the run used.
    pub seed: u64,
    pub run: Run,
    pub stats: PassStats,
    pub pes: Vec<PeRow>,
}

/// Runs the pass pipeline (up to `after`, if given).
pub fn compile(
    layer: &Layer,
    arch: &Arch,
    pass: PassKind,
    dataflow: Dataflow,
    gflow_group: i64,
    after: Option<&str>,
) -> Result<Module, Diagnostic> {
    let mut m = Module::new(layer.clone(), arch.clone(), pass, dataflow, gflow_group);
    run_pipeline(&mut m, after)?;
    Ok(m)
}

/// Runs the physical-pass pipeline (row-stationary): a strip of the set on
/// the arch's array, its scratchpads streamed over the networks.
pub fn compile_physical(layer: &Layer, arch: &Arch, pass: PassKind) -> Result<Module, Diagnostic> {
    let mut m = Module::new(layer.clone(), arch.clone(), pass, Dataflow::Rs, 1);
    m.physical = true;
    run_pipeline(&mut m, None)?;
    Ok(m)
}

/// Simulates a fully compiled module on the data of image 0, input channel 0
/// and filter 0, and checks every output against the reference.
pub fn simulate(m: Module, seed: u64) -> Result<PassOutcome, Diagnostic> {
    let program = m.program.as_ref().ok_or_else(|| {
        Diagnostic::error("E0900", "internal error: simulate called before lower")
    })?;
    let l = &m.layer;
    crate::limits::check_simulation(program, l)?;
    let slices = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, 0, 0, 0);
    let params = ArrayParams {
        fifo_depth: m.arch.fifo_depth,
        ofmap_bw: m.arch.noc_ofmap,
        zero_gating: m.arch.zero_gating,
    };
    let run = sim::run(program, params, &|s| slices.resolve(s)).map_err(|e| {
        Diagnostic::error("E0910", format!("simulation stopped: {e}"))
            .with_note("the schedule broke a hardware invariant; this is a bug in cnnc's mapping")
    })?;
    let kind = program.out_kind;
    let expected = reference::reference(kind, l, &slices);
    // Gradient elements that no product reaches (filter smaller than the
    // stride) are structurally zero and never written.
    let unwritten_ok = kind != OutKind::Ofmap;
    // A physical pass computes a strip of the output rows (one per PE
    // column); the other strips are the same schedule on other rows.
    let expected = match (&m.set, m.physical) {
        (Some(set), true) => expected
            .slice(ndarray::s![..(set.cols as usize).min(expected.nrows()), ..])
            .to_owned(),
        _ => expected,
    };
    let mismatches = sim::check_outputs(&expected, &run.outputs, unwritten_ok);
    let cols = program.cols;
    let (stats, pes) = pass_stats(&run, cols, mismatches);
    Ok(PassOutcome {
        module: m,
        seed,
        run,
        stats,
        pes,
    })
}

//! Runs a compiled module on deterministic data and checks every output
//! against the reference: the simulated pass handed to the cost model and
//! the reports.

use super::{data::Slices, pass_stats, reference, ArrayParams, PassStats, PeRow, Run};
use crate::diag::{Code, Diagnostic, IntoDiagnostic};
use crate::ir::{Module, OutKind};

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

/// Simulates a fully compiled module on the data of image 0, input channel 0
/// and filter 0, and checks every output against the reference.
pub fn simulate(m: Module, seed: u64) -> Result<PassOutcome, Diagnostic> {
    let program = m.program.as_ref().ok_or_else(|| {
        Diagnostic::error(
            Code::Internal,
            "internal error: simulate called before lower",
        )
    })?;
    let l = &m.layer;
    crate::limits::check_simulation(program, l)?;
    let slices = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, 0, 0, 0);
    let params = ArrayParams::of(&m.arch);
    let run = super::run(program, params, &|s| slices.resolve(s))
        .map_err(IntoDiagnostic::into_diagnostic)?;
    let kind = program.out_kind;
    let expected = reference::reference(kind, l, &slices);
    // Gradient elements that no product reaches (filter smaller than the
    // stride) are structurally zero and never written; so are the outputs
    // of a transposed layer that no input reaches (its output_pad rows, or
    // gaps when the filter is smaller than the stride).
    let unwritten_ok = kind != OutKind::Ofmap || l.transposed;
    // A physical pass computes a strip of the output rows (one per PE
    // column); the other strips are the same schedule on other rows.
    let expected = match (&m.set, m.physical) {
        (Some(set), true) => expected
            .slice(ndarray::s![..(set.cols as usize).min(expected.nrows()), ..])
            .to_owned(),
        _ => expected,
    };
    let mismatches = super::check_outputs(&expected, &run.outputs, unwritten_ok);
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

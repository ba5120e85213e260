//! The whole layer of a row-stationary pass simulated cycle by cycle on the
//! physical array, processing pass by processing pass as its plan
//! (`ir::LayerPlan`) lists them: each pass's program, built by the
//! compiler the caller hands in, runs on the machine and the passes run
//! one after another. Partial sums a pass leaves in the global buffer
//! return in the next pass of the same outputs over the psum network.
//!
//! The default simulates each distinct pass once (`LayerPlan::distinct`)
//! and counts it as many times as it occurs; `full` (`layer_full.rs`)
//! simulates every pass with the layer's own values, psums carried from
//! pass to pass, and checks every output of the layer against the ndarray
//! reference.

use super::data::{value, Tensor};
use super::glb_banks::BankTrace;
use super::layer_bind::{binding, expected};
use super::layer_full::simulate_full;
use super::layer_program::{load, Compiled, Compiler};
use super::layer_simulation::{broken, per_word, too_large, LayerSimulation, NotSimulated};
use super::layer_totals::{add_pe_macs, add_run, empty, necessary_per_pe, RunTotals};
use super::{Mismatch, Run};
use crate::ir::{LayerPlan, Module, OutKind, Src, SrcKind};

/// Most processing passes `--verify full` simulates one by one for a
/// layer; beyond it the layer is simulated in the default mode only.
pub const MAX_FULL_PASSES: u128 = 1_000_000;

/// Simulates the whole layer of module `m` as `plan` lists its passes,
/// each compiled by `compiler`: each distinct processing pass once
/// (`full = false`) or every pass with the layer's values, checking every
/// output (`full = true`).
pub fn simulate_layer(
    m: &Module,
    plan: &LayerPlan,
    full: bool,
    seed: u64,
    compiler: &Compiler,
) -> Result<LayerSimulation, NotSimulated> {
    let b = &plan.blocking;
    if b.r > 1 && !b.stack {
        return Err(NotSimulated::Unsupported(format!(
            "{} channel sets whose psums the array does not add (`psum_across_sets = off`)",
            b.r
        )));
    }
    let kind = OutKind::of(m.pass);
    let windows = plan.windows();
    let distinct = plan.distinct();
    if full {
        // Counted before any pass is listed: a layer too large for full
        // verification is left to `verify_full`, which refuses it (E0208).
        let floor = super::layer_verify::full_work_floor(m);
        if floor > super::layer_verify::MAX_FULL_PE_CYCLES {
            return Err(NotSimulated::TooLarge(format!(
                "full verification would take at least {floor} PE-cycles"
            )));
        }
        let passes = distinct.total();
        if passes > MAX_FULL_PASSES {
            return Err(NotSimulated::TooLarge(format!(
                "{passes} processing passes, more than the {MAX_FULL_PASSES} full mode simulates"
            )));
        }
        let (mut sim, passes) = simulate_full(m, plan, &distinct, compiler, seed)?;
        sim.distinct_passes = distinct.passes.len() as u64;
        sim.steps = plan.steps(|_, at| passes[at]);
        return Ok(sim);
    }
    let runs = crate::parallel::map_in_order(
        &distinct.passes,
        |j| -> Result<(Compiled, Run, Vec<Mismatch>, BankTrace), NotSimulated> {
            let (xc, kc) = plan.operands_of(j);
            let c = load(compiler, j, plan.operands_of(j), &m.arch)?;
            let bind = binding(m, &plan.x, j, kind);
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
            let want = expected(xc, kc, plan.stride, &j.shape, &val, c.out_shape);
            let bad = diff(&want, &run.outputs, c.out_shape.w);
            Ok((c, run, bad, trace))
        },
    );
    let mut sim = empty("sample", m.arch.array);
    sim.distinct_passes = distinct.passes.len() as u64;
    // Each distinct pass's cycles and its index among them.
    let mut cycles_of: Vec<(u64, u32)> = Vec::with_capacity(distinct.passes.len());
    for ((j, counts), r) in distinct.passes.iter().zip(&distinct.counts).zip(runs) {
        let (c, run, bad, trace) = r.ok_or_else(|| NotSimulated::Broken {
            pass: format!("{:?}", j.shape),
            what: "a worker did not finish".into(),
        })??;
        let per_pe = necessary_per_pe(&run);
        for (last, &times) in counts.iter().enumerate() {
            let times = u64::try_from(times).map_err(|_| too_large())?;
            add_pe_macs(&mut sim, &per_pe, c.cols, times).ok_or_else(too_large)?;
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
            sim.first_pass = Some(c.physical(&run, strip, plan.out_rows(), bad.is_empty()));
        }
        cycles_of.push((run.cycles(), sim.bank_traces.len() as u32));
        sim.bank_traces.push(trace);
        sim.passes_simulated += 1;
        sim.verified_outputs += run.outputs.len() as u64;
        if !bad.is_empty() {
            sim.verified = false;
            sim.mismatches
                .extend(bad.into_iter().take(10 - sim.mismatches.len().min(10)));
        }
    }
    sim.steps = plan.steps(|kind, _| cycles_of[distinct.of_kind[kind]]);
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

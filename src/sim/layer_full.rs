//! Full mode: every processing pass of the layer simulated with the
//! layer's own values, psums carried from pass to pass in running order,
//! and every output of the layer checked against the ndarray reference.

use std::collections::HashMap;

use ndarray::Array2;

use super::data::Slices;
use super::glb_banks::BankTrace;
use super::layer_bind::{binding, reference_slice};
use super::layer_program::{load, Compiled, Compiler};
use super::layer_simulation::{
    broken, per_word, too_large, unfinished, LayerSimulation, NotSimulated,
};
use super::layer_totals::{add_pe_macs, add_run, empty, necessary_per_pe, RunTotals};
use super::{check_outputs, reference, PhysicalStats};
use crate::ir::layer_plan::Distinct;
use crate::ir::{LayerPlan, Module, OutKind, PassJob, PassShape, Src, SrcKind};
use crate::model::Hw;

/// Every pass of the layer in running order with the layer's values,
/// psums carried from pass to pass, and every output checked against the
/// reference; with each pass's cycles and distinct pass.
pub(super) fn simulate_full(
    m: &Module,
    plan: &LayerPlan,
    distinct: &Distinct,
    compiler: &Compiler,
    seed: u64,
) -> Result<(LayerSimulation, Vec<(u64, u32)>), NotSimulated> {
    let (x, windows) = (&plan.x, plan.windows());
    let kind = OutKind::of(m.pass);
    let seqs = plan.sequences();
    // One program per shape: a program names the sources it reads, so a
    // pass of another strip (the same timing) needs its own to read its
    // own rows.
    let mut compiled: HashMap<(&PassShape, u64), usize> = HashMap::new();
    let mut unique: Vec<&PassJob> = Vec::new();
    for (j, _) in seqs.iter().flatten() {
        if let std::collections::hash_map::Entry::Vacant(e) = compiled.entry((&j.shape, j.chunk)) {
            e.insert(unique.len());
            unique.push(j);
        }
    }
    // Compiled on every core (a layer of few long sequences, as CONV1's,
    // spent as long compiling its strips one by one as running them); the
    // first that fails, in running order, is the error.
    let programs: Vec<Compiled> =
        crate::parallel::map_in_order(&unique, |j| load(compiler, j, plan.operands_of(j), &m.arch))
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(unfinished())))
            .collect::<Result<_, _>>()?;
    // Each pass's distinct pass (as the default mode numbers them); the
    // first pass of each notes its global-buffer accesses.
    let kinds: Vec<Vec<usize>> = seqs
        .iter()
        .map(|seq| seq.iter().map(|&(_, k)| distinct.of_kind[k]).collect())
        .collect();
    let mut seen = vec![false; distinct.passes.len()];
    let traced: Vec<Vec<bool>> = kinds
        .iter()
        .map(|seq| {
            seq.iter()
                .map(|&kd| !std::mem::replace(&mut seen[kd], true))
                .collect()
        })
        .collect();
    let jobs: Vec<usize> = (0..seqs.len()).collect();
    // Each sequence carries its psums in its own buffer of the pass's
    // output planes; at its end the last pass's outputs are the layer's.
    type SeqOut = Vec<((u64, u64), u64, Vec<Option<i64>>)>;
    // The first pass of each distinct pass also notes its PEs' necessary
    // MACs: the passes of a kind count alike (the default mode's premise,
    // which the equality of the two modes' counts checks).
    type SeqRuns = (
        Vec<(usize, RunTotals, Option<(BankTrace, Vec<u64>)>)>,
        Option<PhysicalStats>,
    );
    let progress = crate::progress::Progress::new(seqs.len(), "pass sequences simulated");
    let results =
        crate::parallel::map_in_order(&jobs, |&si| -> Result<(SeqRuns, SeqOut), NotSimulated> {
            let seq = &seqs[si];
            let mut psums: Vec<Option<i64>> = Vec::new();
            let mut runs = Vec::new();
            let mut first = None;
            let mut last: Option<(&PassJob, Hw)> = None;
            for (at, (j, _)) in seq.iter().enumerate() {
                let idx = compiled[&(&j.shape, j.chunk)];
                let c = &programs[idx];
                let bind = binding(m, x, j, kind);
                let carried = &psums;
                let val = |s: Src| -> Option<i64> {
                    if s.kind == SrcKind::Psum {
                        let w = c.out_shape.w;
                        let width = j.shape.out_rows.1 - j.shape.out_rows.0;
                        let at = (s.r as u64 * width + s.c as u64 / w) * w + s.c as u64 % w;
                        return carried.get(at as usize).copied().flatten();
                    }
                    bind.value(seed, s)
                };
                let mut log = Vec::new();
                let trace = traced[si][at];
                let run = c
                    .machine
                    .run_logged(&val, trace.then_some(&mut log))
                    .map_err(|e| broken(&j.shape, e))?;
                let trace =
                    trace.then(|| (BankTrace::of(&log, per_word(m)), necessary_per_pe(&run)));
                if at == 0 {
                    let strip = j.shape.out_rows.1 - j.shape.out_rows.0;
                    let out_rows = plan.out_rows();
                    // Its outputs are checked with the layer's, below.
                    first = Some(c.physical(&run, strip, out_rows, true));
                }
                runs.push((idx, RunTotals::of(&run), trace));
                psums = run.outputs;
                last = Some((j, c.out_shape));
            }
            progress.inc();
            let mut out = Vec::new();
            if let Some((j, shape)) = last {
                let bind = binding(m, x, j, kind);
                let width = j.shape.out_rows.1 - j.shape.out_rows.0;
                for (plane, &slice) in bind.out.iter().enumerate() {
                    // Planes of filters a set does not hold stay empty.
                    let from = plane as u64 * width * shape.w;
                    let rows: Vec<Option<i64>> =
                        psums[from as usize..(from + width * shape.w) as usize].to_vec();
                    if rows.iter().all(Option::is_none) {
                        continue;
                    }
                    out.push((slice, j.shape.out_rows.0, rows));
                }
            }
            Ok(((runs, first), out))
        });
    drop(progress);
    let mut sim = empty("full", m.arch.array);
    let l = &m.layer;
    let conv_out = {
        let sl = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, 0, 0, 0);
        reference::reference(kind, l, &sl).dim()
    };
    let mut got: HashMap<(u64, u64), Array2<Option<i64>>> = HashMap::new();
    // Each pass's cycles and distinct pass in running order.
    let mut passes = Vec::new();
    let mut traces: Vec<Option<BankTrace>> = vec![None; distinct.passes.len()];
    // Each distinct pass's per-PE counts and program columns, and how often
    // it ran.
    let mut per_pe: Vec<Option<(Vec<u64>, u64)>> = vec![None; distinct.passes.len()];
    let mut times = vec![0u64; distinct.passes.len()];
    for ((seq, r), kinds) in seqs.iter().zip(results).zip(&kinds) {
        let ((runs, first), outs) = r.ok_or_else(unfinished)??;
        if sim.first_pass.is_none() {
            sim.first_pass = first;
        }
        for (((idx, run, trace), (j, _)), &kd) in runs.into_iter().zip(seq).zip(kinds) {
            add_run(&mut sim, &run, &programs[idx], &j.shape, windows, 1, j.last)
                .ok_or_else(too_large)?;
            passes.push((run.cycles, kd as u32));
            times[kd] += 1;
            if let Some((trace, pes)) = trace {
                traces[kd] = Some(trace);
                per_pe[kd] = Some((pes, programs[idx].cols));
            }
            sim.passes_simulated += 1;
        }
        for (slice, y0, rows) in outs {
            let a = got
                .entry(slice)
                .or_insert_with(|| Array2::from_elem(conv_out, None));
            for (i, v) in rows.into_iter().enumerate() {
                let (y, c) = (y0 as usize + i / windows as usize, i % windows as usize);
                if let Some(e) = a.get_mut((y, c)) {
                    *e = v;
                }
            }
        }
    }
    for (pes, &n) in per_pe.iter().zip(&times) {
        if let Some((pes, cols)) = pes {
            add_pe_macs(&mut sim, pes, *cols, n).ok_or_else(too_large)?;
        }
    }
    // Every output slice of the layer against the reference.
    let unwritten_ok = kind != OutKind::Ofmap || l.transposed;
    let mut keys: Vec<_> = got.keys().copied().collect();
    keys.sort_unstable();
    // The reference slices on every core (CONV1's 384 slices of 3 025
    // outputs took a tenth of the run, one after another).
    let wants =
        crate::parallel::map_in_order(&keys, |&slice| reference_slice(m, kind, slice, seed));
    for (slice, want) in keys.into_iter().zip(wants) {
        let a = &got[&slice];
        let want = want.ok_or_else(unfinished)?;
        let flat: Vec<Option<i64>> = a.iter().copied().collect();
        sim.verified_outputs += want.len() as u64;
        let bad = check_outputs(&want, &flat, unwritten_ok);
        if !bad.is_empty() {
            sim.verified = false;
            for b in bad {
                if sim.mismatches.len() < 10 {
                    sim.mismatches.push(b);
                }
            }
        }
    }
    sim.bank_traces = traces.into_iter().map(Option::unwrap_or_default).collect();
    if let Some(f) = &mut sim.first_pass {
        f.verified = sim.verified;
    }
    Ok((sim, passes))
}

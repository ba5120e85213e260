//! The chosen mapping handed to the whole-layer simulation
//! (`sim::simulate_layer`): the blocking the search picked, in the
//! simulation's terms, and the pieces the allocation cut.

use super::error::CostError;
use super::geometry::Geometry;
use super::memory;
use super::simulated::raw;
use super::timeline::Timeline;
use crate::dram::MemSpec;
use crate::ir::{Blocking, Convs, LayerPlan, Mapping, Module, OutKind, PassJob, SrcMatrix};
use crate::options::Dataflow;
use crate::passes::rs_pass;
use crate::sim::{simulate_layer, LayerSimulation, NotSimulated, PassOutcome, PassProgram};

/// Whether the layer of `m` is lowered onto the array and simulated whole
/// (row-stationary's per-pass pipeline; Grad-Flow's sets and the physical
/// strip are not).
pub fn on_array(m: &Module) -> bool {
    m.dataflow == Dataflow::Rs && !m.physical
}

/// The layer of `o` simulated whole under mapping `m` (`full`: every
/// pass with the layer's values), `Ok(None)` for a pass the simulation
/// does not cover by design (Grad-Flow's sets, the physical strip), or why
/// it could not be simulated.
pub fn simulate(
    o: &PassOutcome,
    geo: &Geometry,
    c: &Convs,
    m: &Mapping,
    full: bool,
) -> Result<Option<LayerSimulation>, String> {
    let module = &o.module;
    if !on_array(module) {
        return Ok(None);
    }
    let blocking = Blocking {
        n: m.n,
        p: m.p,
        q: m.q,
        r: m.r,
        t: m.t,
        strip: geo.alloc.piece.w,
        piece_rows: geo.alloc.piece.h,
        chunks: geo.chunks,
        stack: super::traffic::adds_across_sets(geo, &module.arch, m),
    };
    simulate_plan(module, *c, blocking, full, o.seed)
        .map(Some)
        .map_err(|e: NotSimulated| e.to_string())
}

/// The layer of module `m` planned under `blocking` and simulated whole:
/// the plan built once, each of its passes compiled by the processing-pass
/// compiler (`passes::rs_pass`) and run by the simulator.
pub fn simulate_plan(
    m: &Module,
    convs: Convs,
    blocking: Blocking,
    full: bool,
    seed: u64,
) -> Result<LayerSimulation, NotSimulated> {
    let plan = LayerPlan::of(m, convs, blocking).map_err(NotSimulated::Unsupported)?;
    let (arch, kind) = (&m.arch, OutKind::of(m.pass));
    // The compiler of the plan's passes: the simulator runs what it builds.
    let compiler = |j: &PassJob, (x, k): &(SrcMatrix, SrcMatrix)| {
        let pass = rs_pass(x, k, plan.stride, kind, arch, &j.shape).map_err(|e| e.0)?;
        Ok(PassProgram {
            program: pass.program,
            window_period: pass.timing.window_period,
            min_window_period: pass.timing.min_window_period,
            start: pass.timing.start,
            pes_used: pass.pes_used,
        })
    };
    simulate_layer(m, &plan, full, seed, &compiler)
}

/// At most this many of the estimator's best candidates are simulated.
pub const CANDIDATES: usize = 3;
/// Candidates whose estimated score is within this fraction of the best
/// are simulated: about the estimator's typical error (docs/validation.md).
pub const CANDIDATE_MARGIN: f64 = 0.10;

type Candidate = (Geometry, super::mapping::Chosen);

/// A candidate's simulation, and its memory timeline when simulated.
type Simulated = (
    Result<Option<LayerSimulation>, String>,
    Option<Result<Timeline, String>>,
);

/// The final choice among the estimator's best candidates: each simulated
/// (in parallel), given its best bank split by the memory timeline
/// (`memory::best_split`), and ranked by the objective on its simulated
/// figures, ties to more active PEs, then fewer cycles, then the
/// estimator's order. A candidate the simulation does not cover is ranked
/// by its estimate. An empty `cands` (the search refuses before that
/// today) is [`CostError::NoStripWidth`], not a panic.
pub fn pick(
    o: &PassOutcome,
    c: &Convs,
    cands: Vec<Candidate>,
    objective: crate::options::Objective,
    price: super::mapping::DramPrice,
    spec: &MemSpec,
    full: bool,
) -> Result<(Geometry, super::mapping::Chosen, Simulated), CostError> {
    let arch = &o.module.arch;
    let with_memory = |(g, ch): &Candidate, full: bool| -> (Candidate, Simulated) {
        let sim = simulate(o, g, c, &ch.mapping, full);
        match &sim {
            Ok(Some(s)) => {
                let (ch2, tl) = memory::best_split(o, g, c, ch, s, spec, objective, price);
                ((g.clone(), ch2), (sim, Some(tl)))
            }
            _ => ((g.clone(), ch.clone()), (sim, None)),
        }
    };
    let runs: Vec<Option<(Candidate, Simulated)>> = if cands.len() == 1 {
        vec![Some(with_memory(&cands[0], full))]
    } else {
        crate::parallel::map_in_order(&cands, |cand| with_memory(cand, false))
    };
    let score = |(g, ch): &Candidate, (sim, tl): &Simulated| {
        let s = sim.as_ref().ok().and_then(Option::as_ref);
        let tl = tl.as_ref().and_then(|t| t.as_ref().ok());
        let (value, cycles) = match s {
            Some(s) => memory::score(ch, &raw(&ch.raw, s), s, tl, o, objective, price),
            None => {
                let est = &ch.cycles;
                let energy = super::mapping::energy_score(&ch.raw, arch, price, est.total);
                let energy = super::mapping::objective_energy(&ch.raw, arch, energy);
                (objective.score(energy, est.total as f64), est.total)
            }
        };
        let pes = s.map_or(super::mapping::active_pes(g, c, arch, &ch.mapping), |s| {
            s.active_pes
        });
        (value, std::cmp::Reverse(pes), cycles)
    };
    let mut best: Option<(Candidate, Simulated)> = None;
    for run in runs.into_iter() {
        let Some(run) = run else {
            continue;
        };
        let better = match &best {
            None => true,
            Some(b) => {
                score(&run.0, &run.1).partial_cmp(&score(&b.0, &b.1))
                    == Some(std::cmp::Ordering::Less)
            }
        };
        if better {
            best = Some(run);
        }
    }
    let Some(((g, ch), simulated)) = best else {
        let (g, ch) = cands.into_iter().next().ok_or(CostError::NoStripWidth)?;
        let why = Err("internal: a candidate's simulation did not finish".into());
        return Ok((g, ch, (why, None)));
    };
    match simulated {
        // Several candidates ran in the default mode: full mode runs the
        // chosen one again, every pass with its values.
        (Ok(Some(s)), _) if full && s.mode != "full" => {
            let (cand, simulated) = with_memory(&(g, ch), true);
            Ok((cand.0, cand.1, simulated))
        }
        s => Ok((g, ch, s)),
    }
}

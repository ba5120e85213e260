//! The chosen mapping handed to the whole-layer simulation
//! (`sim::simulate_layer`): the blocking the search picked, in the
//! simulation's terms, and the pieces the allocation cut.

use super::convs::Convs;
use super::error::CostError;
use super::geometry::Geometry;
use super::mapping::Mapping;
use super::memory;
use super::timeline::Timeline;
use super::traffic::{Raw, FILTER, IFMAP, OFMAP, PSUM};
use crate::cost::dram::MemSpec;
use crate::options::Dataflow;
use crate::sim::{simulate_layer, Blocking, Dims, LayerSimulation, NotSimulated, PassOutcome};

/// Whether the layer of `m` is lowered onto the array and simulated whole
/// (row-stationary's per-pass pipeline; Grad-Flow's sets and the physical
/// strip are not).
pub fn on_array(m: &crate::ir::Module) -> bool {
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
    let dims = Dims {
        groups: c.groups,
        images: c.images,
        filters: c.filters,
        channels: c.channels,
    };
    simulate_layer(module, dims, &blocking, full, o.seed)
        .map(Some)
        .map_err(|e: NotSimulated| e.to_string())
}

/// The layer's traffic and operations as the simulation counted them, on
/// the estimate's levels: scratchpads, networks and global-buffer reads
/// and writes toward the array from the simulated passes; what the global
/// buffer exchanges with DRAM (and the psums that spill there) from the
/// estimate, which models the DRAM side.
pub fn raw(est: &Raw, s: &LayerSimulation) -> Raw {
    let w = |v: u64| v as u128;
    let mut x = est.clone();
    x.rf[IFMAP] = [w(s.rf.ifmap_reads), w(s.rf.ifmap_writes)];
    x.rf[FILTER] = [w(s.rf.filter_reads), w(s.rf.filter_writes)];
    x.rf[PSUM] = [w(s.rf.psum_reads), w(s.rf.psum_writes)];
    x.rf[OFMAP] = [0, 0];
    x.noc[IFMAP] = [w(s.glb_ifmap_reads), w(s.ifmap_arrivals)];
    x.noc[FILTER] = [w(s.glb_filter_reads), w(s.filter_arrivals)];
    // A psum moves up a column (one hop), to the buffer, or back from it.
    let psum_moves = w(s.psum_hops + s.glb_psum_writes + s.glb_psum_reads);
    x.noc[PSUM] = [psum_moves, psum_moves];
    x.noc[OFMAP] = [w(s.glb_ofmap_writes), w(s.glb_ofmap_writes)];
    x.glb[IFMAP][0] = w(s.glb_ifmap_reads);
    x.glb[FILTER][0] = w(s.glb_filter_reads);
    let spilled = est.spilled;
    x.glb[PSUM] = [
        w(s.glb_psum_reads).saturating_sub(spilled),
        w(s.glb_psum_writes).saturating_sub(spilled),
    ];
    x.glb[OFMAP][1] = w(s.glb_ofmap_writes);
    x.macs = w(s.macs);
    x.zero_macs = w(s.zero_macs);
    x.adds = w(s.adds);
    x
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
    use crate::options::Objective;
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
                let value = match objective {
                    Objective::Energy => energy,
                    Objective::Latency => est.total as f64,
                    Objective::Edp => energy * est.total as f64,
                };
                (value, est.total)
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

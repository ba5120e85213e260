//! A simulated candidate's memory side: the memory timeline of its
//! simulated passes (`timeline`) under each ifmap/psum bank split worth
//! trying (`mapping::splits`), ranked by the objective on the timeline's
//! cycles and DRAM energy. The passes on the array do not depend on the
//! split (it decides what the global buffer keeps and what goes to DRAM),
//! so the split is chosen without simulating the array again.

use super::dram_traffic::regions;
use super::geometry::Geometry;
use super::mapping::{self, Chosen, DramPrice};
use super::simulated::raw;
use super::timeline::{self, DramBytes, Inputs, Residency, Timeline};
use super::traffic::{Raw, FILTER, IFMAP, OFMAP, PSUM};
use crate::dram::MemSpec;
use crate::ir::Convs;
use crate::ir::MAX_TIMELINE_PASSES;
use crate::options::Objective;
use crate::sim::{LayerSimulation, PassOutcome, RegionBanks};

/// The timeline of candidate `ch` over the passes `sim` ran, with `x` the
/// candidate's traffic as simulated (`simulated::raw`), or why there is none.
pub fn timeline_of(
    geo: &Geometry,
    c: &Convs,
    ch: &Chosen,
    x: &Raw,
    sim: &LayerSimulation,
    o: &PassOutcome,
    spec: &MemSpec,
) -> Result<Timeline, String> {
    let arch = &o.module.arch;
    let steps = sim
        .steps
        .as_ref()
        .ok_or_else(|| format!("more than {MAX_TIMELINE_PASSES} processing passes"))?;
    let eb = arch.element_bytes();
    let bytes = |v: u128| u64::try_from(v * eb as u128).map_err(|_| "DRAM bytes leave 64 bits");
    let b = DramBytes {
        ifmap: bytes(x.dram[IFMAP][0])?,
        filter: bytes(x.dram[FILTER][0])?,
        psum_read: bytes(x.dram[PSUM][0])?,
        psum_write: bytes(x.dram[PSUM][1])?,
        ofmap: bytes(x.dram[OFMAP][1])?,
    };
    let res = Residency {
        ifmaps_resident: x.ifmaps_resident,
        filters_resident: x.filters_resident,
        ifmap_capacity: ch.mapping.ifmap_banks.saturating_mul(arch.glb_bank),
        filter_capacity: arch.glb_filter_banks.saturating_mul(arch.glb_bank),
        psum_capacity: ch.mapping.psum_banks.saturating_mul(arch.glb_bank),
    };
    let regions = regions(geo, c, x, eb).map_err(|_| "a DRAM region leaves 64 bits")?;
    // The split decides which banks hold each region's words.
    let banks = RegionBanks {
        ifmap: ch.mapping.ifmap_banks,
        psum: ch.mapping.psum_banks,
        filter: arch.glb_filter_banks,
    };
    let inputs = Inputs {
        bytes: b,
        res,
        regions,
        bank_stalls: sim
            .bank_traces
            .iter()
            .map(|t| t.stall_cycles(banks))
            .collect(),
    };
    timeline::build(steps, &inputs, arch, spec)
}

/// What the objective ranks a simulated candidate by (`x`: its traffic as
/// simulated), with its timeline (or, without one, its simulated cycles
/// against the DRAM link and the search's DRAM price): (value, cycles).
pub fn score(
    ch: &Chosen,
    x: &Raw,
    sim: &LayerSimulation,
    tl: Option<&Timeline>,
    o: &PassOutcome,
    objective: Objective,
    price: DramPrice,
) -> (f64, u128) {
    let arch = &o.module.arch;
    let (cycles, energy) = match tl {
        Some(tl) => {
            let cycles = tl.cycles as u128;
            let e = mapping::energy_with_dram(x, arch, tl.dram_energy.total, cycles);
            (cycles, e)
        }
        None => {
            let cycles = (sim.cycles as u128).max(ch.cycles.dram_link);
            (cycles, mapping::energy_score(x, arch, price, cycles))
        }
    };
    let energy = mapping::objective_energy(x, arch, energy);
    (objective.score(energy, cycles as f64), cycles)
}

/// The best bank split of a simulated candidate for `objective` (ties to
/// the candidate's own split, then the order of `mapping::splits`), with
/// its timeline or why there is none.
#[allow(clippy::too_many_arguments)]
pub fn best_split(
    o: &PassOutcome,
    geo: &Geometry,
    c: &Convs,
    ch: &Chosen,
    sim: &LayerSimulation,
    spec: &MemSpec,
    objective: Objective,
    price: DramPrice,
) -> (Chosen, Result<Timeline, String>) {
    let m = &o.module;
    let x = raw(&ch.raw, sim);
    let own = timeline_of(geo, c, ch, &x, sim, o, spec);
    if own.is_err() {
        return (ch.clone(), own);
    }
    let key = |ch: &Chosen, x: &Raw, tl: &Result<Timeline, String>| {
        score(ch, x, sim, tl.as_ref().ok(), o, objective, price)
    };
    let mut best_key = key(ch, &x, &own);
    let mut best = (ch.clone(), own);
    for alt in mapping::splits(&m.layer, geo, c, &m.arch, price, &ch.mapping)
        .into_iter()
        .skip(1)
    {
        let x = raw(&alt.raw, sim);
        let tl = timeline_of(geo, c, &alt, &x, sim, o, spec);
        if tl.is_err() {
            continue;
        }
        let k = key(&alt, &x, &tl);
        let mut alt = (alt, tl);
        alt.0.evaluated = ch.evaluated;
        alt.0.truncated = ch.truncated;
        if k.partial_cmp(&best_key) == Some(std::cmp::Ordering::Less) {
            best = alt;
            best_key = k;
        }
    }
    best
}

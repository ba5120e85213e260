//! Whole-layer cost model: from one simulated 2-D convolution (a
//! [`PassOutcome`]) to the whole layer on the physical array: processing
//! passes, cycles, exact traffic per level and data type, energy and the
//! DRAM command stream. See docs/layer-model.md.
//!
//! * [`convs`]: how many 2-D convolutions a pass is, and how they accumulate.
//! * [`geometry`]: pieces of the folded set and per-convolution counters.
//! * [`mapping`]: the blocking (n, p, q, r, t, bank split) and its search.
//! * [`traffic`], [`cycles`], [`energy`], [`dram_traffic`]: the model.
//! * [`text`], [`summary`]: reports.
//! * [`error`]: why a layer cannot be costed ([`CostError`]), and its one
//!   conversion to a diagnostic.

pub mod cycles;
pub mod dram_traffic;
pub mod energy;
pub mod error;
pub mod geometry;
pub mod ideal;
pub mod mapping;
mod memory;
pub mod phases;
pub mod sasiml;
mod simulated;
pub mod summary;
pub mod text;
pub mod timeline;
pub mod traffic;
mod whole;

use serde::Serialize;

use crate::dram::DramEnergy;
use crate::ir::Convs;
use crate::options::{Dataflow, Objective, PassKind};
use crate::sim::PassOutcome;

pub use crate::ir::Mapping;
pub use dram_traffic::Regions;
pub use energy::{ByType as EnergyByType, EnergyPj, TypeEnergy};
pub use error::{CostError, Limit, MappingFault, MappingRefusal, Named, PassShape};
pub use summary::summary;
pub use text::layer_text;
pub use whole::simulate_plan;

/// Reads and writes of one data type at one level, in elements and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Access {
    pub reads: u64,
    pub writes: u64,
    pub read_bytes: u64,
    pub write_bytes: u64,
}

/// One level's traffic per data type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Types {
    pub ifmap: Access,
    pub filter: Access,
    pub psum: Access,
    pub ofmap: Access,
}

impl Types {
    pub fn all(&self) -> [(&'static str, Access); 4] {
        [
            ("ifmap", self.ifmap),
            ("filter", self.filter),
            ("psum", self.psum),
            ("ofmap", self.ofmap),
        ]
    }
    pub fn bytes(&self) -> u64 {
        self.all()
            .iter()
            .map(|(_, a)| a.read_bytes + a.write_bytes)
            .sum()
    }
    pub fn elements(&self) -> u64 {
        self.all().iter().map(|(_, a)| a.reads + a.writes).sum()
    }
}

/// Traffic of the whole layer. `noc` reads are elements put on a network
/// (a multicast counts once), `noc` writes are elements arriving in a PE or
/// the global buffer (a multicast to k PEs counts k).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Traffic {
    pub element_bytes: u64,
    pub rf: Types,
    pub noc: Types,
    pub glb: Types,
    pub dram: Types,
}

/// Simulated cycles not spent computing, by cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stalls {
    /// Waiting for the first data of each pass.
    pub pass_start: u64,
    /// Windows stretched because a network could not deliver in time.
    pub networks: u64,
    /// Outputs draining after each pass's last window.
    pub drain: u64,
    /// The array stopped while a global-buffer bank it needed served
    /// another access (the memory timeline, under the chosen bank split;
    /// 0 without a timeline).
    pub glb_bank: u64,
    /// Waiting for DRAM: before passes whose reads were not in and after
    /// the last pass for its writes (the memory timeline); without a
    /// timeline, the DRAM link's cycles beyond the simulated ones.
    pub dram: u64,
}

/// The analytic model's figures for the chosen mapping (the mapping
/// search's estimator): its cycles are the longest of compute, output
/// collection, delivery, psum return and the DRAM link, which overlap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub cycles: u64,
    pub compute_cycles: u64,
    /// Cycles the ofmap network needs for the layer's global-buffer writes.
    pub collect_cycles: u64,
    /// Cycles the ifmap and filter networks need for their deliveries.
    pub load_cycles: u64,
    /// Cycles the psum network needs to bring psums back into the array.
    pub psum_return_cycles: u64,
    pub dram_link_cycles: u64,
    /// The array's part: the longest of compute, collection, delivery and
    /// psum return (what the simulation simulates).
    pub array_cycles: u64,
    /// Estimated energy, pJ (the search's objective terms).
    pub energy_pj: f64,
    /// Simulated cycles / the estimate's `array_cycles`: the estimator's
    /// error; absent when nothing was simulated, since a ratio of the
    /// estimate to itself says nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycles_ratio: Option<f64>,
}

/// The whole layer on the physical array for one pass and dataflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerStats {
    pub layer: String,
    pub arch: String,
    pub pass: PassKind,
    pub dataflow: Dataflow,
    /// Layer cycles: the whole layer simulated on the array
    /// (`cycles_from = simulation`: its processing passes one after
    /// another), or the estimate where the simulation does not cover the
    /// pass (`cycles_from = estimate`); at least the DRAM link's cycles.
    pub cycles: u64,
    pub cycles_from: &'static str,
    /// Cycles the DRAM link needs for the layer's DRAM bytes at once (the
    /// memory timeline places them transfer by transfer; without one the
    /// layer waits for this where it is longer than the simulation).
    pub dram_link_cycles: u64,
    /// Where the simulated cycles went beyond computing (zero when not
    /// simulated).
    pub stall_cycles: Stalls,
    /// The mapping search's analytic figures for the chosen mapping.
    pub estimate: Estimate,
    /// `cycles` at the arch clock, microseconds.
    pub time_us: f64,
    pub macs: u64,
    pub zero_macs: u64,
    /// MACs that cost multiplier energy (zero gating removes zero_macs).
    pub charged_macs: u64,
    pub adds: u64,
    pub convs_2d: u64,
    pub accumulated_over: String,
    pub physical_passes: u64,
    /// Most PEs busy at once, and the array's PEs.
    pub active_pes: u64,
    pub array_pes: u64,
    /// The layer's products without inserted zeros (`macs - zero_macs`).
    pub necessary_macs: u64,
    /// MAC slots used (inserted zeros included) and offered (array PEs x
    /// cycles).
    pub mac_slots_used: u64,
    pub mac_slots_offered: u64,
    /// necessary_macs / mac_slots_offered: the one meaning of utilisation.
    pub utilisation: f64,
    /// The bound this layer-pass could reach on the arch, whatever the
    /// dataflow (`ideal::ideal`): the longest of computing only necessary
    /// products, moving only compulsory DRAM bytes, and each network
    /// carrying only what it must.
    pub ideal_cycles: u64,
    /// Which of those bounds `ideal_cycles` is.
    pub bound_by: &'static str,
    pub ideal: ideal::Ideal,
    /// The original simulator's whole-layer cycles for this layer-pass
    /// (`sasiml::layer_cycles`: its logical set's busy cycles x 2-D
    /// convolutions / fractional copies of the set on the array), for
    /// holding its figures beside cnnc's; not a cnnc estimate.
    pub sasiml_layer_cycles: f64,
    pub mapping: Mapping,
    pub mapping_hand_fixed: bool,
    pub search_evaluated: u64,
    pub search_truncated: bool,
    /// The estimator's best candidates simulated to take the final choice
    /// (docs/whole-layer.md §6).
    pub candidates_simulated: u64,
    pub ifmaps_resident: bool,
    pub filters_resident: bool,
    /// Contributions (partial sums) per output element.
    pub psum_segments: u64,
    pub traffic: Traffic,
    pub glb_bytes: u64,
    pub dram_bytes: u64,
    pub psum_spill_elements: u64,
    pub psum_spill_bytes: u64,
    pub energy_pj: EnergyPj,
    pub dram_energy: DramEnergy,
    pub memspec: String,
    pub dram_regions: Regions,
    /// Every output checked equals the reference, how many were checked and
    /// how many 2-D convolutions were simulated with real values for it
    /// (`--verify sample`: the one of image 0, channel 0, filter 0;
    /// `--verify full`: all of the layer).
    pub verified: bool,
    pub verified_outputs: u64,
    pub verify: &'static str,
    pub convs_simulated: u64,
    /// 1 when the DRAM command stream was simulated whole; otherwise the
    /// layer's traffic was sampled 1 in this many bytes and the DRAM energy
    /// scaled up by it (layers beyond 2^21 bursts of DRAM traffic).
    pub dram_sample_factor: u64,
    /// The whole layer simulated cycle by cycle on the physical array
    /// under the chosen mapping (row-stationary), beside the figures
    /// above, which are the mapping search's estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<crate::sim::LayerSimulation>,
    /// Why the layer was not simulated whole, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation_skipped: Option<String>,
    /// The memory timeline of the simulated passes and their DRAM
    /// transfers (docs/whole-layer.md §7), and why there is none for a
    /// simulated layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<timeline::Timeline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline_skipped: Option<String>,
}

impl LayerStats {
    /// The blocking chosen, as the text report, the CSV and the sweep rows
    /// write it: `n=.. p=.. ... psum_banks=..`, and ` (hand-fixed)` when
    /// a `mapping { }` block fixed it.
    pub fn mapping_text(&self) -> String {
        let hand = if self.mapping_hand_fixed {
            " (hand-fixed)"
        } else {
            ""
        };
        format!("{}{hand}", self.mapping)
    }
}

fn u(x: u128, what: &'static str) -> Result<u64, CostError> {
    u64::try_from(x).map_err(|_| CostError::TooLarge { what })
}

fn level(l: &traffic::Level, eb: u64) -> Result<Types, CostError> {
    let a = |t: usize| -> Result<Access, CostError> {
        let (r, w) = (l[t][0], l[t][1]);
        Ok(Access {
            reads: u(r, "traffic")?,
            writes: u(w, "traffic")?,
            read_bytes: u(r * eb as u128, "traffic bytes")?,
            write_bytes: u(w * eb as u128, "traffic bytes")?,
        })
    };
    Ok(Types {
        ifmap: a(traffic::IFMAP)?,
        filter: a(traffic::FILTER)?,
        psum: a(traffic::PSUM)?,
        ofmap: a(traffic::OFMAP)?,
    })
}

/// The whole layer for the pass and dataflow of `o`; a refusal is the
/// stage's own [`CostError`] (the caller turns it into a diagnostic).
pub fn layer_stats(o: &PassOutcome, objective: Objective) -> Result<LayerStats, CostError> {
    layer_stats_verified(o, objective, false)
}

/// [`layer_stats`], the whole layer simulated with the layer's own
/// values and every output checked when `full` (`--verify full`).
pub fn layer_stats_verified(
    o: &PassOutcome,
    objective: Objective,
    full: bool,
) -> Result<LayerStats, CostError> {
    let m = &o.module;
    let arch = &m.arch;
    let c = Convs::of(&m.layer, m.pass);
    let spec = dram_traffic::spec(arch).map_err(|why| CostError::UnknownDram {
        dram: arch.dram.clone(),
        arch: arch.span,
        why: Box::new(why),
    })?;
    let price = mapping::DramPrice {
        pj_per_byte: dram_traffic::pj_per_byte(&spec),
        idle_mw: spec.idle_power_mw(),
    };
    let cands = search_strips(o, &c, price, objective)?;
    let candidates_simulated = cands.len() as u64;
    let (geo, chosen, (simulated, memory)) =
        whole::pick(o, &c, cands, objective, price, &spec, full)?;
    let sim = simulated.as_ref().ok().and_then(Option::as_ref);
    let sim_raw = sim.map(|s| simulated::raw(&chosen.raw, s));
    let x = sim_raw.as_ref().unwrap_or(&chosen.raw);
    let est = &chosen.cycles;
    let array_cycles = est
        .compute
        .max(est.collect)
        .max(est.load)
        .max(est.psum_return);
    let eb = arch.element_bytes();
    let t = Traffic {
        element_bytes: eb,
        rf: level(&x.rf, eb)?,
        noc: level(&x.noc, eb)?,
        glb: level(&x.glb, eb)?,
        dram: level(&x.dram, eb)?,
    };
    let array_pes = arch.array.area();
    let macs = u(x.macs, "MACs")?;
    let necessary = macs.saturating_sub(u(x.zero_macs, "MACs")?);
    let regions = dram_traffic::regions(&geo, &c, x, eb)?;
    let tl = memory.as_ref().and_then(|r| r.as_ref().ok());
    let total = match (sim, tl) {
        (_, Some(tl)) => tl.cycles as u128,
        (Some(s), None) => (s.cycles as u128).max(est.dram_link),
        (None, None) => est.total,
    };
    let cycles = u(total, "cycles")?;
    let offered = u(array_pes as u128 * total, "MAC slots")?;
    let bound = ideal::ideal(&m.layer, m.pass, arch);
    let mut s = LayerStats {
        layer: m.layer.name.clone(),
        arch: arch.name.clone(),
        pass: m.pass,
        dataflow: m.dataflow,
        cycles,
        cycles_from: if sim.is_some() {
            "simulation"
        } else {
            "estimate"
        },
        dram_link_cycles: u(est.dram_link, "cycles")?,
        stall_cycles: sim.map_or(Stalls::default(), |s| Stalls {
            pass_start: s.start_cycles,
            networks: s.stretch_cycles,
            drain: s.drain_cycles,
            glb_bank: tl.map_or(0, |tl| tl.glb_bank_stall_cycles),
            dram: tl.map_or((est.dram_link as u64).saturating_sub(s.cycles), |tl| {
                tl.dram_wait_cycles + tl.write_tail_cycles
            }),
        }),
        estimate: Estimate {
            cycles: u(est.total, "cycles")?,
            compute_cycles: u(est.compute, "cycles")?,
            collect_cycles: u(est.collect, "cycles")?,
            load_cycles: u(est.load, "cycles")?,
            psum_return_cycles: u(est.psum_return, "cycles")?,
            dram_link_cycles: u(est.dram_link, "cycles")?,
            array_cycles: u(array_cycles, "cycles")?,
            energy_pj: chosen.energy_estimate,
            cycles_ratio: sim.map(|s| s.cycles as f64 / array_cycles.max(1) as f64),
        },
        time_us: cycles as f64 * 1e6 / arch.clock_hz.max(1) as f64,
        macs,
        zero_macs: u(x.zero_macs, "MACs")?,
        charged_macs: u(energy::charged_macs(x, arch), "MACs")?,
        adds: u(x.adds, "adds")?,
        convs_2d: u(x.convs, "2-D convolutions")?,
        accumulated_over: Convs::accumulated_over(m.pass).to_string(),
        physical_passes: u(chosen.cycles.passes, "passes")?,
        active_pes: sim.map_or(mapping::active_pes(&geo, &c, arch, &chosen.mapping), |s| {
            s.active_pes
        }),
        array_pes,
        necessary_macs: necessary,
        mac_slots_used: macs,
        mac_slots_offered: offered,
        utilisation: if offered > 0 {
            necessary as f64 / offered as f64
        } else {
            0.0
        },
        ideal_cycles: bound.cycles,
        bound_by: bound.bound_by,
        ideal: bound,
        sasiml_layer_cycles: sasiml::layer_cycles(o),
        mapping: chosen.mapping,
        mapping_hand_fixed: chosen.hand_fixed,
        search_evaluated: chosen.evaluated,
        search_truncated: chosen.truncated,
        candidates_simulated,
        ifmaps_resident: x.ifmaps_resident,
        filters_resident: x.filters_resident,
        psum_segments: u(x.segments, "segments")?,
        glb_bytes: t.glb.bytes(),
        dram_bytes: t.dram.bytes(),
        psum_spill_elements: u(x.spilled, "spills")?,
        psum_spill_bytes: u(x.spilled * eb as u128, "spills")?,
        traffic: t,
        energy_pj: EnergyPj::default(),
        dram_energy: DramEnergy::default(),
        memspec: spec.id.clone(),
        dram_regions: regions,
        dram_sample_factor: 1,
        verified: o.stats.verified && sim.is_none_or(|s| s.verified),
        verified_outputs: m.program.as_ref().map_or(0, |p| p.out_shape.area())
            + sim.map_or(0, |s| s.verified_outputs),
        verify: "sample",
        convs_simulated: 1,
        simulation: sim.cloned(),
        simulation_skipped: simulated.as_ref().err().cloned(),
        timeline: tl.cloned(),
        timeline_skipped: memory.as_ref().and_then(|r| r.as_ref().err().cloned()),
    };
    if let Some(sm) = sim.filter(|s| s.mode == "full") {
        s.verify = "full";
        s.verified_outputs = sm.verified_outputs;
        s.convs_simulated = u(x.convs, "2-D convolutions")?;
    }
    if let Some(tl) = tl {
        // The transfers at the times the timeline issued them.
        s.dram_energy = tl.dram_energy.clone();
    } else {
        let (g, factor) =
            dram_traffic::commands(&spec, &s).map_err(|why| CostError::DramTooLarge {
                layer: m.layer.span,
                why: Box::new(why),
            })?;
        // The DRAM stays powered over the layer's whole timeline: what the
        // transfers leave idle is spent in power-down
        // (`DramEnergy::with_idle`).
        let busy = scaled(crate::dram::energy(&spec, &g.commands, g.end_cycle), factor);
        let idle_ns = s.time_us * 1e3 - busy.duration_ns;
        s.dram_energy = busy.with_idle(&spec, idle_ns);
        s.dram_sample_factor = factor;
    }
    s.energy_pj = energy::with_static(
        energy::with_dram(energy::on_chip(x, arch), x, &s.dram_energy),
        arch,
        total,
    );
    let bad = crate::limits::null_fields(&s);
    if !bad.is_empty() {
        return Err(CostError::NotFinite {
            layer: Named {
                name: m.layer.name.clone(),
                span: m.layer.span,
            },
            fields: bad,
        });
    }
    Ok(s)
}

/// Runs the blocking search for each strip width worth trying (the `e` of
/// the mapping) and keeps the best by the search's order.
/// The estimator's shortlist for `objective`, best first: each
/// candidate's mapping, estimated cycles and estimated energy (pJ). The
/// final choice is the simulated best of these (docs/whole-layer.md §6).
pub fn shortlist(
    o: &PassOutcome,
    objective: Objective,
) -> Result<Vec<(Mapping, u64, f64)>, CostError> {
    let c = Convs::of(&o.module.layer, o.module.pass);
    let spec = dram_traffic::spec(&o.module.arch).map_err(|why| CostError::UnknownDram {
        dram: o.module.arch.dram.clone(),
        arch: o.module.arch.span,
        why: Box::new(why),
    })?;
    let price = mapping::DramPrice {
        pj_per_byte: dram_traffic::pj_per_byte(&spec),
        idle_mw: spec.idle_power_mw(),
    };
    Ok(search_strips(o, &c, price, objective)?
        .into_iter()
        .map(|(_, ch)| (ch.mapping, ch.cycles.total as u64, ch.energy_estimate))
        .collect())
}

/// The estimator's best candidates over every strip width worth trying,
/// best first, those whose score is within
/// [`whole::CANDIDATE_MARGIN`] of the best, at most [`whole::CANDIDATES`]
/// (the simulation then picks among them).
fn search_strips(
    o: &PassOutcome,
    c: &Convs,
    dram: mapping::DramPrice,
    objective: Objective,
) -> Result<Vec<(geometry::Geometry, mapping::Chosen)>, CostError> {
    let m = &o.module;
    let arch = &m.arch;
    let base = geometry::geometry(o)?;
    let set = base.alloc.set;
    let fixed = m.layer.mapping.and_then(|h| h.e);
    if let Some(e) = fixed {
        if e > arch.array.w || e > set.w {
            return Err(CostError::StripWidth {
                layer: Named {
                    name: m.layer.name.clone(),
                    span: m.layer.span,
                },
                arch: Named {
                    name: arch.name.clone(),
                    span: arch.span,
                },
                e,
                set_cols: set.w,
                array_cols: arch.array.w,
            });
        }
    }
    let mut all: Vec<(geometry::Geometry, mapping::Chosen)> = Vec::new();
    let mut first_err = None;
    for e in strip_widths(set.w, base.alloc.col_folds, fixed) {
        let geo = if e == base.alloc.piece.w {
            base.clone()
        } else {
            let alloc = crate::passes::allocate_strips(set, arch.array, e);
            geometry::geometry_with(o, alloc)?
        };
        match mapping::choose(&m.layer, &geo, c, arch, dram, objective, whole::on_array(m)) {
            Ok(chs) => all.extend(chs.into_iter().map(|ch| (geo.clone(), ch))),
            Err(d) => {
                first_err.get_or_insert(d);
            }
        }
    }
    // Best first by the search's order (stable: enumeration order breaks
    // the last ties).
    let key =
        |(g, ch): &(geometry::Geometry, mapping::Chosen)| mapping::rank(g, c, arch, objective, ch);
    all.sort_by(|a, b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if all.is_empty() {
        return Err(first_err.unwrap_or(CostError::NoStripWidth));
    }
    let best = key(&all[0]).0;
    let near = |s: f64| s <= best * (1.0 + whole::CANDIDATE_MARGIN);
    let keep = all
        .iter()
        .take(whole::CANDIDATES)
        .take_while(|x| near(key(x).0))
        .count()
        .max(1);
    all.truncate(keep);
    Ok(all)
}

/// Strip widths the search tries: the hand-fixed one, or the balanced
/// widths `ceil(cols / k)` from the fewest strips the array allows up to
/// four times as many (narrower strips leave room for replicated sets, as
/// the chip's 11 x 7 strips of AlexNet CONV1 with t = 2).
fn strip_widths(cols: u64, min_folds: u64, fixed: Option<u64>) -> Vec<u64> {
    if let Some(e) = fixed {
        return vec![e];
    }
    let max_folds = cols.min((4 * min_folds).max(min_folds + 3));
    let mut v: Vec<u64> = (min_folds.max(1)..=max_folds.max(1))
        .map(|k| cols.div_ceil(k))
        .collect();
    v.dedup();
    v
}

/// The energy of a sampled DRAM stream scaled to the whole layer (`factor`
/// 1 leaves it exact).
fn scaled(e: DramEnergy, factor: u64) -> DramEnergy {
    if factor == 1 {
        return e;
    }
    let f = factor as f64;
    let n = |v: u64| v.saturating_mul(factor);
    DramEnergy {
        act: e.act * f,
        pre: e.pre * f,
        rd: e.rd * f,
        wr: e.wr * f,
        refresh: e.refresh * f,
        background: e.background * f,
        total: e.total * f,
        duration_ns: e.duration_ns * f,
        cycles: n(e.cycles),
        acts: n(e.acts),
        pres: n(e.pres),
        reads: n(e.reads),
        writes: n(e.writes),
        refs: n(e.refs),
        active_cycles: n(e.active_cycles),
        precharged_cycles: n(e.precharged_cycles),
        ..e
    }
}

/// The layer's DRAM command stream (for `--dram-trace`): the memory
/// timeline's, built again from the figures of `s`, where it has one;
/// otherwise the traffic back to back, for a sampled layer the sample (see
/// `dram_traffic::commands`).
pub fn dram_commands(
    o: &PassOutcome,
    s: &LayerStats,
) -> Result<Vec<crate::dram::Command>, crate::dram::DramError> {
    let arch = &o.module.arch;
    let spec = dram_traffic::spec(arch)?;
    let steps = s.simulation.as_ref().and_then(|sm| sm.steps.as_ref());
    if let (Some(tl), Some(steps)) = (&s.timeline, steps) {
        if let Ok((_, cmds)) = timeline::with_commands(steps, &tl.inputs, arch, &spec) {
            return Ok(cmds);
        }
    }
    Ok(dram_traffic::commands(&spec, s)?.0.commands)
}

/// The command stream in DRAMPower's trace form (`cycle,CMD,bank` lines).
pub fn dram_trace(o: &PassOutcome, s: &LayerStats) -> String {
    let cmds = dram_commands(o, s).unwrap_or_default();
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = crate::dram::write_trace(&cmds, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

//! `--dataflow rs-split`: the whole layer-pass from its phases
//! (`ir::phases`), each costed as the ordinary layer it is. The phases run
//! one after another on the array, so their cycles, traffic and energy
//! add; the result elements no phase writes (zeros) are written to DRAM
//! after them over the link.

use super::{Access, EnergyPj, LayerStats, Stalls, Traffic, Types};
use crate::dram::DramEnergy;
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, PassKind};

/// The layer-pass `pass` of `l` whose phases cost `phases` (at least one),
/// with `unwritten` result elements no phase writes.
pub fn combine(
    l: &Layer,
    pass: PassKind,
    arch: &Arch,
    phases: &[LayerStats],
    unwritten: u64,
) -> Option<LayerStats> {
    // The phase with the most cycles gives the fields that are one
    // mapping's (`mapping`, `memspec`); each phase's own are in the report.
    let longest = phases.iter().max_by_key(|p| p.cycles)?;
    let mut s = longest.clone();
    s.layer = l.name.clone();
    s.pass = pass;
    s.dataflow = Dataflow::RsSplit;
    s.accumulated_over = crate::ir::Convs::accumulated_over(pass).to_string();
    s.mapping_hand_fixed = false;
    s.simulation = None;
    s.simulation_skipped = None;
    s.timeline = None;
    s.timeline_skipped = None;
    let all = |f: fn(&LayerStats) -> bool| phases.iter().all(f);
    let sum = |f: fn(&LayerStats) -> u64| phases.iter().map(f).fold(0u64, u64::saturating_add);
    s.cycles_from = if all(|p| p.cycles_from == "simulation") {
        "simulation"
    } else {
        "estimate"
    };
    s.dram_link_cycles = sum(|p| p.dram_link_cycles);
    s.stall_cycles = Stalls {
        pass_start: sum(|p| p.stall_cycles.pass_start),
        networks: sum(|p| p.stall_cycles.networks),
        drain: sum(|p| p.stall_cycles.drain),
        glb_bank: sum(|p| p.stall_cycles.glb_bank),
        dram: sum(|p| p.stall_cycles.dram),
    };
    let e = &mut s.estimate;
    e.cycles = sum(|p| p.estimate.cycles);
    e.compute_cycles = sum(|p| p.estimate.compute_cycles);
    e.collect_cycles = sum(|p| p.estimate.collect_cycles);
    e.load_cycles = sum(|p| p.estimate.load_cycles);
    e.psum_return_cycles = sum(|p| p.estimate.psum_return_cycles);
    e.dram_link_cycles = sum(|p| p.estimate.dram_link_cycles);
    e.array_cycles = sum(|p| p.estimate.array_cycles);
    e.energy_pj = phases.iter().map(|p| p.estimate.energy_pj).sum();
    e.cycles_ratio = None;
    s.macs = sum(|p| p.macs);
    s.charged_macs = sum(|p| p.charged_macs);
    s.adds = sum(|p| p.adds);
    s.convs_2d = sum(|p| p.convs_2d);
    s.physical_passes = sum(|p| p.physical_passes);
    s.active_pes = phases.iter().map(|p| p.active_pes).max().unwrap_or(0);
    // Necessary products are the layer's (the phases' padding and zero
    // taps are not), so utilisation is comparable across dataflows.
    let necessary = u64::try_from(super::ideal::necessary_macs(l)).unwrap_or(u64::MAX);
    s.necessary_macs = necessary.min(s.macs);
    s.zero_macs = s.macs - s.necessary_macs;
    s.mac_slots_used = s.macs;
    s.search_evaluated = sum(|p| p.search_evaluated);
    s.search_truncated = phases.iter().any(|p| p.search_truncated);
    s.candidates_simulated = sum(|p| p.candidates_simulated);
    s.ifmaps_resident = all(|p| p.ifmaps_resident);
    s.filters_resident = all(|p| p.filters_resident);
    s.psum_spill_elements = sum(|p| p.psum_spill_elements);
    s.psum_spill_bytes = sum(|p| p.psum_spill_bytes);
    s.verified = all(|p| p.verified);
    s.verified_outputs = sum(|p| p.verified_outputs);
    s.verify = if all(|p| p.verify == "full") {
        "full"
    } else {
        "sample"
    };
    s.convs_simulated = sum(|p| p.convs_simulated);
    s.dram_sample_factor = phases
        .iter()
        .map(|p| p.dram_sample_factor)
        .max()
        .unwrap_or(1);
    s.traffic = phases
        .iter()
        .skip(1)
        .fold(phases[0].traffic, |a, p| traffic(&a, &p.traffic));
    s.dram_regions.ifmap = sum(|p| p.dram_regions.ifmap);
    s.dram_regions.filter = sum(|p| p.dram_regions.filter);
    s.dram_regions.psum = sum(|p| p.dram_regions.psum);
    s.dram_regions.ofmap = sum(|p| p.dram_regions.ofmap);
    s.dram_energy = phases
        .iter()
        .skip(1)
        .fold(phases[0].dram_energy.clone(), |a, p| {
            dram(&a, &p.dram_energy)
        });
    s.energy_pj = phases
        .iter()
        .skip(1)
        .fold(phases[0].energy_pj, |a, p| energy(&a, &p.energy_pj));
    // The zeros no phase writes still go to DRAM, after the phases.
    let zero_bytes = unwritten.saturating_mul(arch.element_bytes());
    let zero_cycles = u64::try_from(arch.dram_link_cycles(zero_bytes as u128)).unwrap_or(u64::MAX);
    let cycles = sum(|p| p.cycles).saturating_add(zero_cycles);
    s.stall_cycles.dram = s.stall_cycles.dram.saturating_add(zero_cycles);
    let o = &mut s.traffic.dram.ofmap;
    o.writes = o.writes.saturating_add(unwritten);
    o.write_bytes = o.write_bytes.saturating_add(zero_bytes);
    s.dram_regions.ofmap = s.dram_regions.ofmap.saturating_add(zero_bytes);
    if zero_bytes > 0 {
        let pj = super::dram_traffic::spec(arch)
            .map(|spec| crate::dram::pj_per_byte(&spec))
            .unwrap_or(0.0)
            * zero_bytes as f64;
        let e = &mut s.energy_pj;
        e.dram += pj;
        e.total += pj;
        e.by_type.ofmap.dram += pj;
        e.by_type.ofmap.total += pj;
    }
    s.glb_bytes = s.traffic.glb.bytes();
    s.dram_bytes = s.traffic.dram.bytes();
    s.cycles = cycles;
    s.time_us = cycles as f64 * 1e6 / arch.clock_hz.max(1) as f64;
    s.mac_slots_offered = s.array_pes.saturating_mul(cycles);
    s.utilisation = if s.mac_slots_offered > 0 {
        s.necessary_macs as f64 / s.mac_slots_offered as f64
    } else {
        0.0
    };
    let bound = super::ideal::ideal(l, pass, arch);
    s.ideal_cycles = bound.cycles;
    s.bound_by = bound.bound_by;
    s.ideal = bound;
    Some(s)
}

fn access(a: &Access, b: &Access) -> Access {
    Access {
        reads: a.reads.saturating_add(b.reads),
        writes: a.writes.saturating_add(b.writes),
        read_bytes: a.read_bytes.saturating_add(b.read_bytes),
        write_bytes: a.write_bytes.saturating_add(b.write_bytes),
    }
}

fn types(a: &Types, b: &Types) -> Types {
    Types {
        ifmap: access(&a.ifmap, &b.ifmap),
        filter: access(&a.filter, &b.filter),
        psum: access(&a.psum, &b.psum),
        ofmap: access(&a.ofmap, &b.ofmap),
    }
}

fn traffic(a: &Traffic, b: &Traffic) -> Traffic {
    Traffic {
        element_bytes: a.element_bytes,
        rf: types(&a.rf, &b.rf),
        noc: types(&a.noc, &b.noc),
        glb: types(&a.glb, &b.glb),
        dram: types(&a.dram, &b.dram),
    }
}

fn energy(a: &EnergyPj, b: &EnergyPj) -> EnergyPj {
    let t = |x: &super::TypeEnergy, y: &super::TypeEnergy| super::TypeEnergy {
        rf: x.rf + y.rf,
        noc: x.noc + y.noc,
        glb: x.glb + y.glb,
        dram: x.dram + y.dram,
        total: x.total + y.total,
    };
    let (p, q) = (&a.by_type, &b.by_type);
    EnergyPj {
        rf: a.rf + b.rf,
        noc: a.noc + b.noc,
        mac: a.mac + b.mac,
        glb: a.glb + b.glb,
        dram: a.dram + b.dram,
        static_power: a.static_power + b.static_power,
        total: a.total + b.total,
        by_type: super::EnergyByType {
            ifmap: t(&p.ifmap, &q.ifmap),
            filter: t(&p.filter, &q.filter),
            psum: t(&p.psum, &q.psum),
            ofmap: t(&p.ofmap, &q.ofmap),
            compute: p.compute + q.compute,
            dram_static: p.dram_static + q.dram_static,
            chip_static: p.chip_static + q.chip_static,
        },
    }
}

/// Two DRAM command streams one after the other.
fn dram(a: &DramEnergy, b: &DramEnergy) -> DramEnergy {
    let duration_ns = a.duration_ns + b.duration_ns;
    let total = a.total + b.total;
    DramEnergy {
        act: a.act + b.act,
        pre: a.pre + b.pre,
        rd: a.rd + b.rd,
        wr: a.wr + b.wr,
        refresh: a.refresh + b.refresh,
        background: a.background + b.background,
        powerdown: a.powerdown + b.powerdown,
        idle_ns: a.idle_ns + b.idle_ns,
        total,
        // Energy over time, idle included: pJ / ns = mW.
        avg_power_mw: if duration_ns + a.idle_ns + b.idle_ns > 0.0 {
            total / (duration_ns + a.idle_ns + b.idle_ns)
        } else {
            0.0
        },
        duration_ns,
        cycles: a.cycles + b.cycles,
        acts: a.acts + b.acts,
        pres: a.pres + b.pres,
        reads: a.reads + b.reads,
        writes: a.writes + b.writes,
        refs: a.refs + b.refs,
        active_cycles: a.active_cycles + b.active_cycles,
        precharged_cycles: a.precharged_cycles + b.precharged_cycles,
        devices: a.devices,
    }
}

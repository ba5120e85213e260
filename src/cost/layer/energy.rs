//! Energy: per-access energies of the arch times the counts, by level and
//! by data type. DRAM energy comes from the DRAM model (see `dram_traffic.rs` and `src/dram/`).

use serde::Serialize;

use super::traffic::{Level, Raw, FILTER, IFMAP, OFMAP, PSUM};
use crate::dram::DramEnergy;
use crate::model::Arch;

/// Energy of one data type (pJ).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TypeEnergy {
    pub rf: f64,
    pub noc: f64,
    pub glb: f64,
    /// Share of the DRAM command energy (ACT, PRE, RD, WR), by bytes moved.
    pub dram: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ByType {
    pub ifmap: TypeEnergy,
    pub filter: TypeEnergy,
    pub psum: TypeEnergy,
    pub ofmap: TypeEnergy,
    /// Multiplier and adder energy (belongs to no data type).
    pub compute: f64,
    /// DRAM refresh and background energy (belongs to no data type).
    pub dram_static: f64,
    /// The chip's static energy (belongs to no data type).
    pub chip_static: f64,
}

/// Layer energy in pJ. `total = rf + noc + mac + glb + dram + static_power`,
/// and the `by_type` parts add up to the same total (up to rounding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EnergyPj {
    pub rf: f64,
    pub noc: f64,
    pub mac: f64,
    pub glb: f64,
    pub dram: f64,
    /// The arch's static power (`power.static`) over the layer's cycles.
    pub static_power: f64,
    pub total: f64,
    pub by_type: ByType,
}

fn accesses(l: &Level, t: usize) -> f64 {
    (l[t][0] + l[t][1]) as f64
}

/// Multiplications that cost energy: with zero gating, those with a zero
/// operand do not.
pub fn charged_macs(x: &Raw, arch: &Arch) -> u128 {
    if arch.zero_gating {
        x.macs - x.zero_macs.min(x.macs)
    } else {
        x.macs
    }
}

/// Everything except DRAM, for the search and for the report.
pub fn on_chip(x: &Raw, arch: &Arch) -> EnergyPj {
    let eb = arch.element_bytes() as f64;
    let ty = |t: usize| TypeEnergy {
        rf: arch.energy_rf * accesses(&x.rf, t),
        noc: arch.energy_noc * accesses(&x.noc, t),
        glb: arch.energy_glb * eb * accesses(&x.glb, t),
        dram: 0.0,
        total: 0.0,
    };
    let by = ByType {
        ifmap: ty(IFMAP),
        filter: ty(FILTER),
        psum: ty(PSUM),
        ofmap: ty(OFMAP),
        compute: arch.energy_mul * charged_macs(x, arch) as f64 + arch.energy_add * x.adds as f64,
        dram_static: 0.0,
        chip_static: 0.0,
    };
    let parts = [by.ifmap, by.filter, by.psum, by.ofmap];
    EnergyPj {
        rf: parts.iter().map(|p| p.rf).sum(),
        noc: parts.iter().map(|p| p.noc).sum(),
        mac: by.compute,
        glb: parts.iter().map(|p| p.glb).sum(),
        dram: 0.0,
        static_power: 0.0,
        total: 0.0,
        by_type: by,
    }
}

/// Adds the DRAM energy (split over types by DRAM bytes) and the totals.
pub fn with_dram(mut e: EnergyPj, x: &Raw, d: &DramEnergy) -> EnergyPj {
    let dynamic = d.act + d.pre + d.rd + d.wr;
    let bytes: Vec<f64> = (0..4).map(|t| accesses(&x.dram, t)).collect();
    let all: f64 = bytes.iter().sum();
    let share = |t: usize| {
        if all > 0.0 {
            dynamic * bytes[t] / all
        } else {
            0.0
        }
    };
    let b = &mut e.by_type;
    b.ifmap.dram = share(IFMAP);
    b.filter.dram = share(FILTER);
    b.psum.dram = share(PSUM);
    b.ofmap.dram = share(OFMAP);
    // Without traffic the command energy has no type to go to.
    b.dram_static = if all > 0.0 {
        d.refresh + d.background + d.powerdown
    } else {
        d.total
    };
    for t in [&mut b.ifmap, &mut b.filter, &mut b.psum, &mut b.ofmap] {
        t.total = t.rf + t.noc + t.glb + t.dram;
    }
    e.dram = d.total;
    e.total = e.rf + e.noc + e.mac + e.glb + e.dram + e.static_power;
    e
}

/// Static energy in pJ of `cycles` at the arch's clock: uW x s = 1e6 pJ.
pub fn static_pj(arch: &Arch, cycles: u128) -> f64 {
    arch.power_static_uw * 1e6 * cycles as f64 / arch.clock_hz.max(1) as f64
}

/// Adds the static power over `cycles` to the totals.
pub fn with_static(mut e: EnergyPj, arch: &Arch, cycles: u128) -> EnergyPj {
    e.static_power = static_pj(arch, cycles);
    e.by_type.chip_static = e.static_power;
    e.total += e.static_power;
    e
}

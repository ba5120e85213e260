//! DRAMPower's energy equations (Chandrasekar et al., DSD 2011, in the form
//! of DRAMPower v5's core_calculation_DDR4.cpp, which reduces to v4.1's
//! MemoryPowerModel.cc for rho = 1 and tRC = tRAS + tRP). Per voltage
//! domain (VDD and VPP for DDR4) and per device; a rank of `devices` parts
//! consumes `devices` times that.

use serde::Serialize;

use super::command::Command;
use super::counters::{count, Counters};
use super::memspec::{MemSpec, VoltageDomain};

/// Energy of a command list, in pJ, for the whole rank.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DramEnergy {
    pub act: f64,
    pub pre: f64,
    pub rd: f64,
    pub wr: f64,
    pub refresh: f64,
    /// Active plus precharged standby over the whole duration.
    pub background: f64,
    /// A layer's idle DRAM: precharge power-down (IDD2P) over `idle_ns`,
    /// the time of the layer's timeline the command stream leaves idle
    /// (its refreshes are in `refresh` and `refs`). Zero for a trace.
    pub powerdown: f64,
    pub idle_ns: f64,
    pub total: f64,
    pub avg_power_mw: f64,
    pub duration_ns: f64,
    /// Duration in memory-clock cycles (active + precharged cycles).
    pub cycles: u64,
    pub acts: u64,
    pub pres: u64,
    pub reads: u64,
    pub writes: u64,
    pub refs: u64,
    pub active_cycles: u64,
    pub precharged_cycles: u64,
    /// Devices the per-device energies were multiplied by.
    pub devices: u32,
}

/// The idle policy's two rates (one model for the layer's energy and the
/// mapping search's estimate): precharge power-down on every rail, device
/// and rank (mW), and the energy of one REF on all devices (pJ).
struct Idle {
    powerdown_mw: f64,
    refresh_pj: f64,
    refi_ns: f64,
}

impl Idle {
    fn of(spec: &MemSpec) -> Idle {
        let t = &spec.timing;
        let (mut pd, mut rf) = (0.0, 0.0);
        for d in &spec.domains {
            // E = V · I · t with I in mA and t in ns gives pJ.
            pd += d.volts * d.i2p;
            rf += d.volts * (d.i5 - d.i3n) * t.rfc as f64 * t.tck_ns;
        }
        let devices = f64::from(spec.devices);
        Idle {
            powerdown_mw: pd * devices * f64::from(spec.ranks),
            refresh_pj: rf * devices,
            refi_ns: t.refi as f64 * t.tck_ns,
        }
    }
}

impl MemSpec {
    /// The power of an idle DRAM under the layer's idle policy (see
    /// [`DramEnergy::with_idle`]), the refreshes averaged over tREFI (mW).
    pub fn idle_power_mw(&self) -> f64 {
        let i = Idle::of(self);
        let refresh = if i.refi_ns > 0.0 {
            i.refresh_pj / i.refi_ns
        } else {
            0.0
        };
        i.powerdown_mw + refresh
    }
}

impl DramEnergy {
    /// Adds `idle_ns` of idle time after the command stream: the DRAM sits
    /// in precharge power-down (IDD2P on every rail, all devices and ranks)
    /// and leaves it only for the refreshes the interval needs (one per
    /// tREFI, each charged as a REF command). The policy is cnnc's; the
    /// layer model issues its transfers back to back (docs/layer-model.md
    /// §7), so the idle time is one stretch.
    pub fn with_idle(mut self, spec: &MemSpec, idle_ns: f64) -> DramEnergy {
        if idle_ns.is_nan() || idle_ns <= 0.0 {
            return self;
        }
        let i = Idle::of(spec);
        let refs = if i.refi_ns > 0.0 {
            (idle_ns / i.refi_ns).floor()
        } else {
            0.0
        };
        let refresh = i.refresh_pj * refs;
        self.powerdown = i.powerdown_mw * idle_ns;
        self.refresh += refresh;
        self.refs = self.refs.saturating_add(refs as u64);
        self.idle_ns = idle_ns;
        self.total += self.powerdown + refresh;
        let all_ns = self.duration_ns + idle_ns;
        self.avg_power_mw = if all_ns > 0.0 {
            self.total / all_ns
        } else {
            0.0
        };
        self
    }
}

/// Currents derived from the IDD values as DRAMPower does (mA).
struct Derived {
    /// Shared active background current (I_rho).
    i_rho: f64,
    /// Background of one active bank (I_1).
    i_1: f64,
    /// ACT part of the IDD0 loop (I_theta).
    i_theta: f64,
}

fn derive(d: &VoltageDomain, spec: &MemSpec) -> Derived {
    let t = &spec.timing;
    let b = f64::from(spec.banks.max(1));
    let i_rho = spec.rho * (d.i3n - d.i2n) + d.i2n;
    let i_1 = (d.i3n + (b - 1.0) * i_rho) / b;
    // IDD0 averages one ACT (tRAS) and one PRE (tRP) period; the PRE share
    // is I_beta, the remainder is the ACT current.
    let (ras, rp) = (t.ras as f64, t.rp as f64);
    let i_theta = (d.i0 * (rp + ras) - d.ibeta * rp) / ras;
    Derived {
        i_rho,
        i_1,
        i_theta,
    }
}

/// Energy of `commands` over `[0, end_cycle)` (the background runs to
/// `end_cycle`, or to the end of a trailing refresh if that is later).
pub fn energy(memspec: &MemSpec, commands: &[Command], end_cycle: u64) -> DramEnergy {
    let c = count(memspec, commands, end_cycle);
    energy_from_counters(memspec, &c)
}

/// The equations, given the counts.
pub fn energy_from_counters(spec: &MemSpec, c: &Counters) -> DramEnergy {
    let t = &spec.timing;
    let tck = t.tck_ns;
    let burst = spec.burst_cycles() as f64;
    let n = |x: u64| x as f64;
    let mut e = DramEnergy::default();
    for d in &spec.domains {
        let k = derive(d, spec);
        let v = d.volts;
        // E = V · I · t with I in mA and t in ns gives pJ.
        e.act += v * (k.i_theta - k.i_1) * n(t.ras) * tck * n(c.acts);
        e.pre += v * (d.ibeta - d.i2n) * n(t.rp) * tck * n(c.pres);
        e.rd += v * (d.i4r - d.i3n) * burst * tck * n(c.reads);
        e.wr += v * (d.i4w - d.i3n) * burst * tck * n(c.writes);
        e.refresh += v * (d.i5 - d.i3n) * n(t.rfc) * tck * n(c.refs);
        let bank_star = c
            .bank_active_cycles
            .iter()
            .fold(0u64, |a, x| a.saturating_add(*x));
        e.background += v * k.i_rho * n(c.active_cycles) * tck
            + v * (k.i_1 - k.i_rho) * n(bank_star) * tck
            + v * d.i2n * n(c.precharged_cycles) * tck;
    }
    let devices = f64::from(spec.devices);
    // Idle ranks draw the same standby current (DRAMPower v4.1 multiplies
    // the background by the rank count); commands address one rank.
    let ranks = f64::from(spec.ranks);
    e.act *= devices;
    e.pre *= devices;
    e.rd *= devices;
    e.wr *= devices;
    e.refresh *= devices;
    e.background *= devices * ranks;
    e.total = e.act + e.pre + e.rd + e.wr + e.refresh + e.background;
    e.cycles = c.active_cycles.saturating_add(c.precharged_cycles);
    e.duration_ns = n(e.cycles) * tck;
    // pJ / ns = mW.
    e.avg_power_mw = if e.duration_ns > 0.0 {
        e.total / e.duration_ns
    } else {
        0.0
    };
    e.acts = c.acts;
    e.pres = c.pres;
    e.reads = c.reads;
    e.writes = c.writes;
    e.refs = c.refs;
    e.active_cycles = c.active_cycles;
    e.precharged_cycles = c.precharged_cycles;
    e.devices = spec.devices;
    e
}

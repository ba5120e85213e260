//! DRAM transfers at the times a layer's timeline issues them
//! (`cost::layer::timeline`): one command stream for the whole layer, each
//! transfer's bursts issued back to back from its issue time by the
//! command scheduler, and the idle policy between transfers: when no
//! transfer is pending the controller closes the open rows (PREA) and the
//! DRAM sits in precharge power-down until the next one, its refreshes
//! charged by `DramEnergy::with_idle`. Power-down entry and exit latencies
//! (tCKE, tXP) are not modelled.

use super::address_map::AddressMap;
use super::command::Command;
use super::counters::count;
use super::memspec::MemSpec;
use super::power::{energy_from_counters, DramEnergy};
use super::scheduler::CommandScheduler;

pub struct TimedDram<'a> {
    spec: &'a MemSpec,
    map: AddressMap,
    s: CommandScheduler<'a>,
    /// Memory cycles the DRAM spent powered down.
    idle_cycles: u64,
    pub bursts: u64,
}

impl<'a> TimedDram<'a> {
    pub fn new(spec: &'a MemSpec) -> TimedDram<'a> {
        TimedDram {
            spec,
            map: AddressMap::new(spec),
            s: CommandScheduler::new(spec),
            idle_cycles: 0,
            bursts: 0,
        }
    }

    /// Bytes one burst moves.
    pub fn burst_bytes(&self) -> u64 {
        self.map.burst_bytes()
    }

    /// When the DRAM is done with everything issued so far (memory cycles).
    fn busy_until(&self) -> u64 {
        self.s.busy_until.max(self.s.bus_free())
    }

    /// Powers down over `[busy end, at)` if the DRAM is idle before `at`.
    fn idle_until(&mut self, at: u64) {
        if at <= self.busy_until() {
            return;
        }
        let from = self.s.precharge_all(self.busy_until());
        if at > from {
            self.idle_cycles += at - from;
            self.s.skip_refreshes(at);
        }
    }

    /// `len` bytes read (or written) from byte address `addr`, the bursts
    /// issued back to back from memory cycle `at`; returns the memory cycle
    /// the last burst's data is through.
    pub fn transfer(&mut self, write: bool, addr: u64, len: u64, at: u64) -> u64 {
        if len == 0 {
            return at;
        }
        self.idle_until(at);
        let bb = self.map.burst_bytes();
        let first = addr / bb;
        let last = addr.saturating_add(len - 1) / bb;
        for b in first..=last {
            self.s.access(write, self.map.locate(b), at);
        }
        self.bursts += last - first + 1;
        self.s.busy_until
    }

    /// The stream's energy over `[0, end)` (memory cycles; at least the
    /// last command's completion): the command stream's, with the
    /// powered-down cycles charged at the idle policy's rate instead of
    /// precharged standby. Returns it with the command stream.
    pub fn finish(mut self, end: u64) -> (DramEnergy, Vec<Command>) {
        self.idle_until(end);
        let end = end.max(self.busy_until());
        let mut c = count(self.spec, &self.s.out, end);
        // Every powered-down cycle was counted as precharged standby.
        c.precharged_cycles = c.precharged_cycles.saturating_sub(self.idle_cycles);
        let idle_ns = self.idle_cycles as f64 * self.spec.timing.tck_ns;
        let e = energy_from_counters(self.spec, &c).with_idle(self.spec, idle_ns);
        (e, self.s.out)
    }
}

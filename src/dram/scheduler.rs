//! An in-order, open-page command scheduler for one rank. Each access is
//! issued at the earliest cycle the JEDEC timing constraints allow; one
//! command per memory-clock cycle on the command bus. All-bank refresh is
//! inserted every tREFI (PREA first if rows are open), at the first burst
//! boundary at or after the due time, so a refresh may slip by one access
//! (JEDEC allows postponing up to 8).

use std::collections::VecDeque;

use super::address_map::Location;
use super::command::{Command, CommandKind};
use super::memspec::{MemSpec, Timing};

/// The DRAM command scheduler: issues the bursts as commands, in order (a
/// bare "schedule" in cnnc is a PE schedule, docs/architecture.md).
pub struct CommandScheduler<'a> {
    spec: &'a MemSpec,
    t: Timing,
    burst: u64,
    pub out: Vec<Command>,
    /// First free command-bus slot.
    bus_free: u64,
    open_row: Vec<Option<u64>>,
    /// Earliest PRE per bank (tRAS after ACT, tRTP after RD, tWR after WR).
    pre_ready: Vec<u64>,
    /// Earliest ACT per bank (tRC after ACT, tRP after PRE, tRFC after REF).
    act_ready: Vec<u64>,
    /// Earliest RD/WR per bank (tRCD after ACT).
    col_ready: Vec<u64>,
    /// Last ACT: cycle and bank group (tRRD_S / tRRD_L).
    last_act: Option<(u64, u32)>,
    /// The last four ACTs (tFAW).
    window: VecDeque<u64>,
    /// Last RD/WR: cycle, bank group, was-write (tCCD, tWTR, RD-to-WR).
    last_col: Option<(u64, u32, bool)>,
    /// When the last data burst (or refresh) completes.
    pub busy_until: u64,
    next_ref: u64,
}

impl<'a> CommandScheduler<'a> {
    pub fn new(spec: &'a MemSpec) -> CommandScheduler<'a> {
        let n = spec.banks.max(1) as usize;
        CommandScheduler {
            spec,
            t: spec.timing,
            burst: spec.burst_cycles().max(1),
            out: Vec::new(),
            bus_free: 0,
            open_row: vec![None; n],
            pre_ready: vec![0; n],
            act_ready: vec![0; n],
            col_ready: vec![0; n],
            last_act: None,
            window: VecDeque::with_capacity(4),
            last_col: None,
            busy_until: 0,
            next_ref: spec.timing.refi,
        }
    }

    fn issue(&mut self, cycle: u64, kind: CommandKind, bank: u32) -> u64 {
        let cycle = cycle.max(self.bus_free);
        self.out.push(Command::new(cycle, kind, bank));
        self.bus_free = cycle + 1;
        cycle
    }

    /// One burst to `loc`, not issued before `arrival`.
    pub fn access(&mut self, write: bool, loc: Location, arrival: u64) {
        self.refresh_due(arrival.max(self.bus_free));
        let b = loc.bank as usize;
        if self.open_row[b] != Some(loc.row) {
            if self.open_row[b].is_some() {
                self.precharge(loc.bank, arrival);
            }
            self.activate(loc.bank, loc.row, arrival);
        }
        self.column(write, loc.bank, arrival);
    }

    fn precharge(&mut self, bank: u32, arrival: u64) {
        let b = bank as usize;
        let at = self.issue(self.pre_ready[b].max(arrival), CommandKind::Pre, bank);
        self.act_ready[b] = self.act_ready[b].max(at + self.t.rp);
        self.open_row[b] = None;
    }

    fn activate(&mut self, bank: u32, row: u64, arrival: u64) {
        let b = bank as usize;
        let group = self.spec.bank_group(bank);
        let mut at = self.act_ready[b].max(arrival);
        if let Some((last, g)) = self.last_act {
            at = at.max(
                last + if g == group {
                    self.t.rrd_l
                } else {
                    self.t.rrd_s
                },
            );
        }
        if self.window.len() == 4 {
            at = at.max(self.window[0] + self.t.faw);
        }
        let at = self.issue(at, CommandKind::Act, bank);
        if self.window.len() == 4 {
            self.window.pop_front();
        }
        self.window.push_back(at);
        self.last_act = Some((at, group));
        self.open_row[b] = Some(row);
        self.col_ready[b] = at + self.t.rcd;
        self.pre_ready[b] = at + self.t.ras;
        self.act_ready[b] = at + self.t.rc;
    }

    fn column(&mut self, write: bool, bank: u32, arrival: u64) {
        let t = self.t;
        let b = bank as usize;
        let group = self.spec.bank_group(bank);
        let mut at = self.col_ready[b].max(arrival);
        if let Some((last, g, was_write)) = self.last_col {
            let ccd = if g == group { t.ccd_l } else { t.ccd_s };
            // The data bus holds one burst at a time whatever tCCD says.
            at = at.max(last + ccd.max(self.burst));
            if was_write && !write {
                // Write data must be in before tWTR starts counting.
                let wtr = if g == group { t.wtr_l } else { t.wtr_s };
                at = at.max(last + t.wl + self.burst + wtr);
            } else if !was_write && write {
                // Read-to-write bus turnaround: RL + BL/2 + 2 - WL.
                at = at.max((last + t.rl + self.burst + 2).saturating_sub(t.wl));
            }
        }
        let kind = if write {
            CommandKind::Wr
        } else {
            CommandKind::Rd
        };
        let at = self.issue(at, kind, bank);
        self.last_col = Some((at, group, write));
        let (ready, done) = if write {
            let data_end = at + t.wl + self.burst;
            (data_end + t.wr, data_end)
        } else {
            (at + t.rtp, at + t.rl + self.burst)
        };
        self.pre_ready[b] = self.pre_ready[b].max(ready);
        self.busy_until = self.busy_until.max(done);
    }

    /// Issues every refresh due at or before `now`.
    pub fn refresh_due(&mut self, now: u64) {
        while self.t.refi > 0 && self.next_ref <= now {
            self.refresh();
        }
    }

    fn refresh(&mut self) {
        let due = self.next_ref;
        self.next_ref += self.t.refi;
        let open: Vec<usize> = (0..self.open_row.len())
            .filter(|&b| self.open_row[b].is_some())
            .collect();
        if !open.is_empty() {
            let ready = open.iter().map(|&b| self.pre_ready[b]).max().unwrap_or(0);
            let at = self.issue(due.max(ready), CommandKind::PreA, 0);
            for b in open {
                self.act_ready[b] = self.act_ready[b].max(at + self.t.rp);
                self.open_row[b] = None;
            }
        }
        // All banks idle for tRP and past tRC from their last ACT.
        let ready = self.act_ready.iter().copied().max().unwrap_or(0);
        let at = self.issue(due.max(ready), CommandKind::Ref, 0);
        let done = at + self.t.rfc;
        for r in &mut self.act_ready {
            *r = (*r).max(done);
        }
        self.busy_until = self.busy_until.max(done);
    }

    /// Closes every open row not before `at` (PREA) and returns the cycle
    /// from which the rank counts as precharged (the PREA's, as DRAMPower
    /// counts it): what a controller does before it powers the DRAM down.
    pub fn precharge_all(&mut self, at: u64) -> u64 {
        let open: Vec<usize> = (0..self.open_row.len())
            .filter(|&b| self.open_row[b].is_some())
            .collect();
        if open.is_empty() {
            return at.max(self.busy_until).max(self.bus_free);
        }
        let ready = open.iter().map(|&b| self.pre_ready[b]).max().unwrap_or(0);
        let issued = self.issue(at.max(ready), CommandKind::PreA, 0);
        let done = issued + self.t.rp;
        for b in open {
            self.act_ready[b] = self.act_ready[b].max(done);
            self.open_row[b] = None;
        }
        self.busy_until = self.busy_until.max(done);
        issued
    }

    /// Drops the refreshes due before `until`: the DRAM sat in power-down
    /// over them, and the idle policy charges them (`DramEnergy::with_idle`).
    pub fn skip_refreshes(&mut self, until: u64) {
        // In closed form: at a low accelerator `clock` an idle gap is
        // billions of memory cycles, and stepping tREFI at a time took
        // minutes (`clock = 1 Hz`: 31 s on a layer of 0.04 s).
        if self.t.refi > 0 && self.next_ref < until {
            let skipped = (until - self.next_ref).div_ceil(self.t.refi);
            self.next_ref = self
                .next_ref
                .saturating_add(skipped.saturating_mul(self.t.refi));
        }
    }

    /// Cycle after the last issued command.
    pub fn bus_free(&self) -> u64 {
        self.bus_free
    }
}

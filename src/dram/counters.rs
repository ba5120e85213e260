//! Command counting and background-cycle bookkeeping, following DRAMPower
//! v4.1's CommandAnalysis (CmdHandlers.cc) so that both tools split a
//! trace into the same active and precharged cycles. All in exact integer
//! memory-clock cycles.

use super::command::{Command, CommandKind};
use super::memspec::MemSpec;

/// What the energy equations need from a command list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub acts: u64,
    pub pres: u64,
    pub reads: u64,
    pub writes: u64,
    pub refs: u64,
    /// Cycles with at least one bank open (or a refresh in progress).
    pub active_cycles: u64,
    /// Cycles with all banks precharged.
    pub precharged_cycles: u64,
    /// Per bank: cycles that bank was open (for the bank-wise rho term).
    pub bank_active_cycles: Vec<u64>,
    /// Commands that DRAMPower would ignore with a warning (ACT to an open
    /// bank, PRE to a closed bank, PREA with all banks closed).
    pub ignored: u64,
}

/// Cycle sums saturate: traces may carry cycles near u64::MAX, and
/// overlapping periods (REF with open banks) may add up past it.
fn add(total: &mut u64, cycles: u64) {
    *total = total.saturating_add(cycles);
}

struct State {
    open: Vec<bool>,
    bank_first_act: Vec<u64>,
    /// Start of the current all-banks-busy period (first ACT or REF).
    first_act: u64,
    /// When the rank last became fully precharged.
    last_pre: u64,
    c: Counters,
}

impl State {
    /// Every bank precharged, nothing counted yet.
    fn new(banks: usize) -> State {
        State {
            open: vec![false; banks],
            bank_first_act: vec![0; banks],
            first_act: 0,
            last_pre: 0,
            c: Counters {
                bank_active_cycles: vec![0; banks],
                ..Counters::default()
            },
        }
    }

    fn n_open(&self) -> usize {
        self.open.iter().filter(|o| **o).count()
    }

    /// Closes one open bank; when it is the last one the rank leaves the
    /// active state.
    fn close(&mut self, bank: usize, t: u64, last: bool) {
        add(&mut self.c.pres, 1);
        add(
            &mut self.c.bank_active_cycles[bank],
            t.saturating_sub(self.bank_first_act[bank]),
        );
        self.open[bank] = false;
        if last {
            add(&mut self.c.active_cycles, t.saturating_sub(self.first_act));
            self.last_pre = t;
        }
    }

    fn apply(&mut self, cmd: &Command, spec: &MemSpec) {
        let t = cmd.cycle;
        let b = cmd.bank as usize;
        match cmd.kind {
            CommandKind::Act if !self.open[b] => {
                add(&mut self.c.acts, 1);
                if self.n_open() == 0 {
                    self.first_act = t;
                    add(
                        &mut self.c.precharged_cycles,
                        t.saturating_sub(self.last_pre),
                    );
                }
                self.open[b] = true;
                self.bank_first_act[b] = t;
            }
            CommandKind::Pre if self.open[b] => {
                let last = self.n_open() == 1;
                self.close(b, t, last);
            }
            CommandKind::PreA if self.n_open() > 0 => {
                for bank in 0..self.open.len() {
                    if self.open[bank] {
                        self.close(bank, t, false);
                    }
                }
                add(&mut self.c.active_cycles, t.saturating_sub(self.first_act));
                self.last_pre = t;
            }
            // DRAMPower counts reads and writes even to a closed bank.
            CommandKind::Rd => self.c.reads += 1,
            CommandKind::Wr => self.c.writes += 1,
            CommandKind::Ref => {
                // As DRAMPower: the refresh counts as active background for
                // tRFC - tRP and the rank is precharged again after that.
                // Banks left open are closed without charging their time.
                let busy = spec.timing.rfc.saturating_sub(spec.timing.rp);
                add(&mut self.c.refs, 1);
                add(
                    &mut self.c.precharged_cycles,
                    t.saturating_sub(self.last_pre),
                );
                self.first_act = t;
                self.last_pre = t.saturating_add(busy);
                add(&mut self.c.active_cycles, busy);
                for (bank, cycles) in self.c.bank_active_cycles.iter_mut().enumerate() {
                    add(cycles, busy);
                    self.open[bank] = false;
                }
            }
            _ => self.c.ignored += 1,
        }
    }

    /// Accounts the tail up to `end` (DRAMPower's handleNopEnd).
    fn finish(mut self, end: u64) -> Counters {
        self.nop_end(end);
        self.c
    }

    /// DRAMPower v4.1's handleNopEnd: adds the cycles from the start of the
    /// current state up to `end` without moving that start, so a trace that
    /// holds a NOP and then gets v4.1's closing NOP counts its tail twice.
    fn nop_end(&mut self, end: u64) {
        for b in 0..self.open.len() {
            if self.open[b] {
                add(
                    &mut self.c.bank_active_cycles[b],
                    end.saturating_sub(self.bank_first_act[b]),
                );
            }
        }
        if self.n_open() > 0 {
            add(
                &mut self.c.active_cycles,
                end.saturating_sub(self.first_act),
            );
        } else {
            add(
                &mut self.c.precharged_cycles,
                end.saturating_sub(self.last_pre),
            );
        }
    }
}

/// Counting in trace order, one command at a time (for traces too long to
/// hold): the caller sorts each window as DRAMPower v4.1 does.
pub struct Counting {
    st: State,
    spec: MemSpec,
}

impl Counting {
    pub fn new(spec: &MemSpec) -> Counting {
        let banks = spec.banks.max(1) as usize;
        Counting {
            st: State::new(banks),
            spec: spec.clone(),
        }
    }

    pub fn apply(&mut self, cmd: &Command) {
        let mut cmd = *cmd;
        cmd.bank %= self.st.open.len() as u32;
        self.st.apply(&cmd, &self.spec);
    }

    /// A NOP or END line at cycle `t` (v4.1's handleNopEnd).
    pub fn nop_end(&mut self, t: u64) {
        self.st.nop_end(t);
    }

    pub fn counters(self) -> Counters {
        self.st.c
    }
}

/// Counts `commands` (any order; sorted by cycle, PRE before other commands
/// of the same cycle, as DRAMPower does) and accounts background cycles up
/// to `end_cycle`. Banks outside the memspec are folded modulo the bank
/// count rather than rejected, so no input can panic here.
pub fn count(spec: &MemSpec, commands: &[Command], end_cycle: u64) -> Counters {
    let banks = spec.banks.max(1) as usize;
    let mut sorted: Vec<Command> = commands.to_vec();
    sorted.sort_by_key(|c| (c.cycle, !matches!(c.kind, CommandKind::Pre)));
    let mut st = State::new(banks);
    for cmd in &mut sorted {
        cmd.bank %= banks as u32;
        st.apply(cmd, spec);
    }
    st.finish(end_cycle)
}

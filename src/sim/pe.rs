//! One processing element: three scratchpads, a pipelined multiplier, the
//! psum mux, a single-cycle adder and the IN_PSUM / OUT_PSUM queues; the
//! pipelines of PEs that run the same words are kept and stepped together.

use std::collections::VecDeque;

use super::scratchpads::{Bank, Scratchpads, EMPTY};
use crate::bytecode::{Ctl, FLAG_PUSH, FLAG_TAKE_IN, NONE};
use crate::diag::{Code, Diagnostic, IntoDiagnostic};
use crate::vocab::Net;

/// Everything counted per PE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PeCounters {
    pub macs: u64,
    pub zero_macs: u64,
    pub adds: u64,
    pub ifmap_reads: u64,
    pub ifmap_writes: u64,
    pub filter_reads: u64,
    pub filter_writes: u64,
    pub psum_reads: u64,
    pub psum_writes: u64,
    pub in_psum_puts: u64,
    pub in_psum_gets: u64,
    pub out_psum_puts: u64,
    pub out_psum_gets: u64,
    pub glb_writes: u64,
    /// First and last cycle a MAC was issued (None if never).
    pub first_mac: Option<u64>,
    pub last_mac: Option<u64>,
    pub max_in_psum: u64,
    pub max_out_psum: u64,
}

impl PeCounters {
    /// Cycles from the first to the last MAC read, inclusive.
    pub fn busy_span(&self) -> u64 {
        match (self.first_mac, self.last_mac) {
            (Some(a), Some(b)) => b - a + 1,
            _ => 0,
        }
    }
}

/// A violated hardware invariant, reported with the PE, cycle and signal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("PE ({x},{y}) cycle {cycle}: {what}")]
pub struct SimError {
    pub x: u32,
    pub y: u32,
    pub cycle: u64,
    pub what: String,
}

/// A broken invariant is a bug in the mapping that produced the program.
impl IntoDiagnostic for SimError {
    fn into_diagnostic(self) -> Diagnostic {
        Diagnostic::error(Code::SimInvariant, format!("simulation stopped: {self}"))
            .with_note("the schedule broke a hardware invariant; this is a bug in cnnc's mapping")
    }
}

/// One PE's queues and counters. Its scratchpads live in the array-wide
/// [`Scratchpads`], its pipelines in its group's [`Pipelines`].
pub struct Pe {
    pub in_psum: VecDeque<i64>,
    pub out_psum: VecDeque<i64>,
    /// Outputs waiting for global-buffer bandwidth: (output index, value).
    pub out_buffer: VecDeque<(u32, i64)>,
    pub n: PeCounters,
}

impl Pe {
    /// A PE whose scratchpads were preloaded with `preloaded` (ifmap,
    /// filter) entries.
    pub fn new(preloaded: (usize, usize)) -> Pe {
        let n = PeCounters {
            ifmap_writes: preloaded.0 as u64,
            filter_writes: preloaded.1 as u64,
            ..PeCounters::default()
        };
        Pe {
            in_psum: VecDeque::new(),
            out_psum: VecDeque::new(),
            out_buffer: VecDeque::new(),
            n,
        }
    }

    /// Writes a delivered element into one of PE `i`'s scratchpad entries.
    pub fn deliver(
        &mut self,
        i: usize,
        rf: &mut Scratchpads,
        net: Net,
        addr: u32,
        v: i64,
    ) -> Result<(), String> {
        let (bank, count) = match net {
            Net::Ifmap => (&mut rf.ifmap, &mut self.n.ifmap_writes),
            Net::Filter => (&mut rf.filter, &mut self.n.filter_writes),
            Net::Psum => return Err("returning psums join IN_PSUM, not a scratchpad".into()),
        };
        bank.set(i, addr, v)
            .ok_or("delivery address out of range")?;
        *count += 1;
        Ok(())
    }
}

/// One pipeline (multiplier, or the adder's stages beyond the first) of
/// every PE of a group, as a ring: `at` is the stage leaving this cycle.
struct Pipe {
    stages: usize,
    at: usize,
    /// Per stage: whether it holds a value. The control word decides that,
    /// so it is the same for every PE of the group.
    full: Vec<bool>,
    /// Stage-major values: stage `s` of the group's PE `m` at `s * members + m`.
    vals: Vec<i64>,
    members: usize,
}

impl Pipe {
    fn new(stages: usize, members: usize) -> Pipe {
        Pipe {
            stages,
            at: 0,
            full: vec![false; stages],
            vals: vec![0; stages * members],
            members,
        }
    }

    /// Whether a value leaves this cycle, given whether one enters (with no
    /// stages it passes straight through).
    #[inline]
    fn leaving(&self, entering: bool) -> bool {
        if self.stages == 0 {
            entering
        } else {
            self.full[self.at]
        }
    }

    /// Puts PE `m`'s value in the first stage and returns the value leaving
    /// its last (meaningful where [`Pipe::leaving`] says so).
    #[inline]
    fn shift(&mut self, m: usize, v: i64) -> i64 {
        if self.stages == 0 {
            return v;
        }
        std::mem::replace(&mut self.vals[self.at * self.members + m], v)
    }

    /// Ends the cycle: the first stage now holds a value if one entered.
    #[inline]
    fn advance(&mut self, entered: bool) {
        if self.stages == 0 {
            return;
        }
        self.full[self.at] = entered;
        self.at += 1;
        if self.at == self.stages {
            self.at = 0;
        }
    }

    fn empty(&self) -> bool {
        !self.full.iter().any(|&f| f)
    }
}

/// The multiplier and adder pipelines of a group of PEs that execute the
/// same control word every cycle (same code, same start), stepped together:
/// which stages hold values is decided by the words, so it is kept once for
/// the group; only the values are each PE's. Counts that depend on values
/// (products with a zero operand) are kept per PE, adds (which depend on
/// the words only) once for the group.
pub struct Pipelines {
    mul: Pipe,
    add: Pipe,
    /// Adds each PE of the group made.
    pub adds: u64,
    /// Per PE of the group: products with a zero operand.
    pub zero_macs: Vec<u64>,
    /// The fewest ifmap, filter and psum entries a PE of the group has: a
    /// word's address below it needs no check per PE.
    least: [u32; 3],
    /// The group's PEs as runs of consecutive array PEs: (first member,
    /// first PE, length). A processing pass's group is one chain row.
    spans: Vec<(usize, usize, usize)>,
}

impl Pipelines {
    /// The pipelines of the PEs `members`, whose scratchpads are in `rf`.
    pub fn new(stages: (usize, usize), members: &[usize], rf: &Scratchpads) -> Pipelines {
        let (mul, add) = stages;
        let k = members.len();
        Pipelines {
            mul: Pipe::new(mul, k),
            add: Pipe::new(add.saturating_sub(1), k),
            adds: 0,
            zero_macs: vec![0; k],
            least: [&rf.ifmap, &rf.filter, &rf.psum].map(|b| b.least_size(members)),
            spans: spans(members),
        }
    }

    /// Whether an idle cycle would change nothing: no value in flight.
    #[inline]
    pub fn settled(&self) -> bool {
        self.mul.empty() && self.add.empty()
    }

    /// Executes one cycle of control word `c` on the group's PEs `members`
    /// (in order), after the array has moved psums and outputs for this
    /// cycle. A broken invariant is reported with the PE it happened on.
    #[inline]
    pub fn step(
        &mut self,
        members: &[usize],
        pes: &mut [Pe],
        rf: &mut Scratchpads,
        c: &Ctl,
        depth: usize,
    ) -> Result<(), (usize, String)> {
        let issued = c.ifm != NONE && c.fil != NONE;
        let m_full = self.mul.leaving(issued);
        if c.is_idle() {
            // No read, mux or psum access: a product leaving the multiplier
            // enters the adder alone, and nothing uses what leaves the adder.
            if m_full && self.add.stages > 0 {
                for m in 0..members.len() {
                    let v = self.mul.shift(m, 0);
                    self.add.shift(m, v);
                }
            }
            self.mul.advance(false);
            self.add.advance(m_full);
            return Ok(());
        }
        let take = c.flags & FLAG_TAKE_IN != 0;
        let x_full = take || m_full;
        let p_full = c.psum_rd != NONE;
        let sum_full = x_full || p_full;
        let s_full = self.add.leaving(sum_full);
        let [ifm, fil, psum] = self.least;
        let in_range = |addr: u32, least: u32| addr == NONE || addr < least;
        let checked = in_range(c.ifm, ifm)
            && in_range(c.fil, fil)
            && in_range(c.psum_rd, psum)
            && in_range(c.psum_wr, psum);
        if checked && self.macs(rf, c, m_full, s_full) {
            // Done for every PE at once.
        } else if checked {
            for (m, &i) in members.iter().enumerate() {
                self.step_one::<true>(m, i, pes, rf, c, depth, (m_full, p_full, s_full))
                    .map_err(|w| (i, w))?;
            }
        } else {
            for (m, &i) in members.iter().enumerate() {
                self.step_one::<false>(m, i, pes, rf, c, depth, (m_full, p_full, s_full))
                    .map_err(|w| (i, w))?;
            }
        }
        // Reads, MACs and queue moves the word asks for whatever the data
        // are counted from the code, once per group (`sim::machine`'s
        // `WordCounts`); only what depends on values is counted per PE.
        self.adds += (x_full && p_full) as u64;
        self.mul.advance(issued);
        self.add.advance(sum_full);
        Ok(())
    }

    /// The word most cycles of a processing pass run, a MAC that reads and
    /// writes a psum and moves nothing through the queues, executed by
    /// every PE of the group in one loop per span of consecutive PEs,
    /// without a branch per PE. Returns `false`, having changed nothing,
    /// when `c` is another kind of word, the adder is pipelined, or a PE
    /// would break an invariant (an empty entry read, an empty sum
    /// written): [`Pipelines::step_one`] then runs it and reports what
    /// broke. The caller checked the addresses are in range.
    #[inline]
    fn macs(&mut self, rf: &mut Scratchpads, c: &Ctl, m_full: bool, s_full: bool) -> bool {
        let queues = c.flags & (FLAG_TAKE_IN | FLAG_PUSH) != 0;
        if queues
            || c.ifm == NONE
            || c.fil == NONE
            || self.mul.stages == 0
            || self.add.stages > 0
            || (c.psum_wr != NONE && !s_full)
        {
            return false;
        }
        let (a, b) = (rf.ifmap.entry(c.ifm), rf.filter.entry(c.fil));
        let rd = (c.psum_rd != NONE).then(|| rf.psum.entry(c.psum_rd));
        let empty =
            |row: &[i64], &(_, i, len): &(usize, usize, usize)| row[i..i + len].contains(&EMPTY);
        if self
            .spans
            .iter()
            .any(|s| empty(a, s) || empty(b, s) || rd.is_some_and(|r| empty(r, s)))
        {
            return false;
        }
        let (words, n) = rf.psum.words_mut();
        let rd = (c.psum_rd != NONE).then_some(c.psum_rd as usize * n);
        let wr = (c.psum_wr != NONE).then_some(c.psum_wr as usize * n);
        let stage = self.mul.at * self.mul.members;
        for &(m0, i0, len) in &self.spans {
            let vals = &mut self.mul.vals[stage + m0..stage + m0 + len];
            let zeros = &mut self.zero_macs[m0..m0 + len];
            let (a, b) = (&a[i0..i0 + len], &b[i0..i0 + len]);
            for k in 0..len {
                let (x, y) = (a[k], b[k]);
                zeros[k] += (x == 0 || y == 0) as u64;
                let leaving = std::mem::replace(&mut vals[k], x * y);
                // An operand that holds no value adds nothing.
                let p = rd.map_or(0, |r| words[r + i0 + k]);
                let sum = if m_full { leaving + p } else { p };
                if let Some(w) = wr {
                    words[w + i0 + k] = sum;
                }
            }
        }
        true
    }

    /// The group's PE `m` (array PE `i`) executes `c`; `full` says which of
    /// the multiplier's output, the psum read and the adder's output hold
    /// values this cycle. `CHECKED`: every address of `c` is known to be in
    /// range for the PE.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn step_one<const CHECKED: bool>(
        &mut self,
        m: usize,
        i: usize,
        pes: &mut [Pe],
        rf: &mut Scratchpads,
        c: &Ctl,
        depth: usize,
        (m_full, p_full, s_full): (bool, bool, bool),
    ) -> Result<(), String> {
        let read = |bank: &Bank, addr: u32, what: &'static str| -> Result<i64, String> {
            if CHECKED {
                Ok(bank.at(i, addr))
            } else {
                Ok(bank.get(i, addr).ok_or(what)?)
            }
        };
        let a = if c.ifm != NONE {
            Some(read(&rf.ifmap, c.ifm, "ifmap address out of range")?)
        } else {
            None
        };
        let b = if c.fil != NONE {
            Some(read(&rf.filter, c.fil, "filter address out of range")?)
        } else {
            None
        };
        if a == Some(EMPTY) || b == Some(EMPTY) {
            return Err("read of an empty scratchpad entry (its data has not arrived)".into());
        }
        let product = match (a, b) {
            (Some(a), Some(b)) => {
                self.zero_macs[m] += (a == 0 || b == 0) as u64;
                a * b
            }
            (None, None) => 0,
            _ => return Err("only one multiplier operand was read".into()),
        };
        // The product issued `mul` cycles ago leaves the pipeline now.
        let mv = self.mul.shift(m, product);
        let p = if p_full {
            let v = read(&rf.psum, c.psum_rd, "psum read address out of range")?;
            if v == EMPTY {
                return Err(format!("psum read of empty entry {}", c.psum_rd));
            }
            v
        } else {
            0
        };
        let x = if c.flags & FLAG_TAKE_IN != 0 {
            pes[i]
                .in_psum
                .pop_front()
                .ok_or("mux takes a psum from an empty IN_PSUM queue")?
        } else {
            mv
        };
        // An operand that holds no value adds nothing.
        let sum = match (c.flags & FLAG_TAKE_IN != 0 || m_full, p_full) {
            (true, true) => x + p,
            (true, false) => x,
            (false, _) => p,
        };
        // What the adder delivers this cycle: this cycle's sum with a
        // single-cycle adder, or the one begun `pipeline.add - 1` cycles ago.
        let s = self.add.shift(m, sum);
        if c.flags & FLAG_PUSH != 0 {
            if !s_full {
                return Err("push of an empty adder result".into());
            }
            let pe = &mut pes[i];
            if pe.out_psum.len() >= depth {
                return Err(format!("OUT_PSUM queue overflow (depth {depth})"));
            }
            pe.out_psum.push_back(s);
            pe.n.max_out_psum = pe.n.max_out_psum.max(pe.out_psum.len() as u64);
        }
        if c.psum_wr != NONE {
            if !s_full {
                return Err("psum write of an empty adder result".into());
            }
            if CHECKED {
                rf.psum.put(i, c.psum_wr, s);
            } else {
                rf.psum
                    .set(i, c.psum_wr, s)
                    .ok_or("psum write address out of range")?;
            }
        }
        Ok(())
    }
}

/// `members` as runs of consecutive PEs: (first member, first PE, length).
fn spans(members: &[usize]) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for (m, &i) in members.iter().enumerate() {
        match out.last_mut() {
            Some((_, i0, len)) if *i0 + *len == i => *len += 1,
            _ => out.push((m, i, 1)),
        }
    }
    out
}

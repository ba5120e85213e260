//! One processing element: three scratchpads, a pipelined multiplier, the
//! psum mux, a single-cycle adder and the IN_PSUM / OUT_PSUM queues.

use std::collections::VecDeque;

use super::scratchpads::{Scratchpads, EMPTY};
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

/// Pipeline depths up to this are held inside the PE; deeper ones on the
/// heap. (The multiplier's ring is read by every MAC: a separate
/// allocation per PE made that load the slowest of the machine's step.)
const INLINE_STAGES: usize = 4;

/// A pipeline's stages as a ring: `at` is the stage leaving this cycle.
struct Stages {
    inline: [Option<i64>; INLINE_STAGES],
    deep: Vec<Option<i64>>,
    len: usize,
    at: usize,
}

impl Stages {
    fn new(len: usize) -> Stages {
        Stages {
            inline: [None; INLINE_STAGES],
            deep: if len > INLINE_STAGES {
                vec![None; len]
            } else {
                Vec::new()
            },
            len,
            at: 0,
        }
    }

    /// Puts `v` into the first stage and returns what leaves the last
    /// (`v` itself with no stages).
    #[inline]
    fn shift(&mut self, v: Option<i64>) -> Option<i64> {
        if self.len == 0 {
            return v;
        }
        let slot = if self.len <= INLINE_STAGES {
            &mut self.inline[self.at]
        } else {
            &mut self.deep[self.at]
        };
        let out = std::mem::replace(slot, v);
        self.at += 1;
        if self.at == self.len {
            self.at = 0;
        }
        out
    }
}

/// One PE's multiplier pipeline, queues and counters; its scratchpads live in the
/// array-wide [`Scratchpads`], indexed by the PE.
pub struct Pe {
    /// Multiplier stages: a product issued now leaves `pipeline.mul`
    /// cycles later.
    mul: Stages,
    /// Adder stages beyond the first: a sum computed this cycle is pushed
    /// or stored `pipeline.add - 1` cycles later.
    add: Stages,
    /// Values in the multiplier and adder rings. With none, a ring's
    /// position changes nothing it will ever deliver, so an idle cycle is
    /// a no-op (the machine skips it).
    inflight: u32,
    pub in_psum: VecDeque<i64>,
    pub out_psum: VecDeque<i64>,
    /// Outputs waiting for global-buffer bandwidth: (output index, value).
    pub out_buffer: VecDeque<(u32, i64)>,
    pub n: PeCounters,
    zero_gating: bool,
    pub zero_gated: u64,
}

impl Pe {
    /// A PE whose scratchpads were preloaded with `preloaded` (ifmap,
    /// filter) entries.
    pub fn new(preloaded: (usize, usize), stages: (usize, usize), zero_gating: bool) -> Pe {
        let (mul_stages, add_stages) = stages;
        let n = PeCounters {
            ifmap_writes: preloaded.0 as u64,
            filter_writes: preloaded.1 as u64,
            ..PeCounters::default()
        };
        Pe {
            mul: Stages::new(mul_stages),
            add: Stages::new(add_stages.saturating_sub(1)),
            inflight: 0,
            in_psum: VecDeque::new(),
            out_psum: VecDeque::new(),
            out_buffer: VecDeque::new(),
            n,
            zero_gating,
            zero_gated: 0,
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

    /// Executes one cycle of control. The array has already moved psums and
    /// outputs for this cycle.
    /// Advances the multiplier by one cycle and returns the product leaving it.
    #[inline]
    fn multiply(&mut self, product: Option<i64>) -> Option<i64> {
        let out = self.mul.shift(product);
        self.inflight = self.inflight + product.is_some() as u32 - out.is_some() as u32;
        out
    }

    /// Advances the adder's later stages and returns the sum leaving them.
    #[inline]
    fn add_stage(&mut self, sum: Option<i64>) -> Option<i64> {
        let out = self.add.shift(sum);
        self.inflight = self.inflight + sum.is_some() as u32 - out.is_some() as u32;
        out
    }

    /// Whether an idle cycle would change nothing: no value in flight.
    #[inline]
    pub fn settled(&self) -> bool {
        self.inflight == 0
    }

    #[inline]
    pub fn step(
        &mut self,
        i: usize,
        rf: &mut Scratchpads,
        c: &Ctl,
        depth: usize,
    ) -> Result<(), String> {
        if c.is_idle() {
            // No read, mux or psum access: a product leaving the multiplier
            // enters the adder alone, and nothing uses what leaves the adder.
            let m = self.multiply(None);
            self.add_stage(m);
            return Ok(());
        }
        // Reads, MACs and queue moves the word asks for whatever the data
        // are counted from the code, once per group of PEs that run it
        // (`sim::machine`'s `WordCounts`); only what depends on values is
        // counted here.
        let a = if c.ifm != NONE {
            Some(rf.ifmap.get(i, c.ifm).ok_or("ifmap address out of range")?)
        } else {
            None
        };
        let b = if c.fil != NONE {
            Some(
                rf.filter
                    .get(i, c.fil)
                    .ok_or("filter address out of range")?,
            )
        } else {
            None
        };
        if a == Some(EMPTY) || b == Some(EMPTY) {
            return Err("read of an empty scratchpad entry (its data has not arrived)".into());
        }
        let product = match (a, b) {
            (Some(a), Some(b)) => {
                if a == 0 || b == 0 {
                    self.n.zero_macs += 1;
                    if self.zero_gating {
                        self.zero_gated += 1;
                    }
                }
                Some(a * b)
            }
            (None, None) => None,
            _ => return Err("only one multiplier operand was read".into()),
        };
        // The product issued `mul` cycles ago leaves the pipeline now.
        let m = self.multiply(product);
        let p = if c.psum_rd != NONE {
            let v = rf
                .psum
                .get(i, c.psum_rd)
                .ok_or("psum read address out of range")?;
            if v == EMPTY {
                return Err(format!("psum read of empty entry {}", c.psum_rd));
            }
            Some(v)
        } else {
            None
        };
        let x = if c.flags & FLAG_TAKE_IN != 0 {
            Some(
                self.in_psum
                    .pop_front()
                    .ok_or("mux takes a psum from an empty IN_PSUM queue")?,
            )
        } else {
            m
        };
        let sum = match (x, p) {
            (Some(x), Some(p)) => {
                self.n.adds += 1;
                Some(x + p)
            }
            (x, None) => x,
            (None, p) => p,
        };
        // What the adder delivers this cycle: this cycle's sum with a
        // single-cycle adder, or the one begun `pipeline.add - 1` cycles ago.
        let s = self.add_stage(sum);
        if c.flags & FLAG_PUSH != 0 {
            let v = s.ok_or("push of an empty adder result")?;
            if self.out_psum.len() >= depth {
                return Err(format!("OUT_PSUM queue overflow (depth {depth})"));
            }
            self.out_psum.push_back(v);
            self.n.max_out_psum = self.n.max_out_psum.max(self.out_psum.len() as u64);
        }
        if c.psum_wr != NONE {
            let v = s.ok_or("psum write of an empty adder result")?;
            rf.psum
                .set(i, c.psum_wr, v)
                .ok_or("psum write address out of range")?;
        }
        Ok(())
    }
}

//! The bytecode verifier: every address in range, every output element
//! written exactly once, and no queue that can overflow or be popped empty.
//! Queue occupancy does not depend on data, so a dry run of the queue
//! counts over the program's cycles decides it exactly.

use super::array::{ofmap_buffer_depth, scan_order, MAX_DELIVERIES};
use super::isa::{Ctl, Program, FLAG_PUSH, FLAG_TAKE_IN, NONE};

/// What the verifier found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The program is malformed (a bug in whatever produced it).
    #[error("{0}")]
    Malformed(String),
    /// The program is well formed but a queue or buffer of the arch is too
    /// small for it.
    #[error("{0}")]
    Capacity(String),
}

impl From<String> for VerifyError {
    fn from(s: String) -> Self {
        VerifyError::Malformed(s)
    }
}

impl From<&str> for VerifyError {
    fn from(s: &str) -> Self {
        VerifyError::Malformed(s.to_string())
    }
}

/// Largest program (PEs x cycles of control) the verifier checks; well above
/// anything the compiler emits (it refuses schedules beyond 50 M).
pub const MAX_VERIFY_PE_CYCLES: u64 = 200_000_000;

/// Checks `p` for an array with `fifo_depth`-entry queues and `ofmap_bw`
/// global-buffer writes per cycle. Returns the first problem found.
pub fn verify_program(p: &Program, fifo_depth: u64, ofmap_bw: u64) -> Result<(), VerifyError> {
    let (codes, uses, _) = structure(p)?;
    queue_dry_run(p, &codes, &uses, fifo_depth, ofmap_bw)
}

/// Everything [`verify_program`] checks but the queues' occupancy: sizes,
/// addresses, outputs written once, deliveries in order and in range.
/// Enough to run `p` on the machine, which checks every queue cycle by
/// cycle as it runs (a caller that simulates a program right away, as the
/// whole-layer simulation does, gets the same checks from the run).
///
/// Returns the program expanded, as checked, so that the machine is built
/// from the same expansion instead of expanding the program a second time.
pub fn verify_structure(p: &Program) -> Result<Expanded, VerifyError> {
    let (codes, _, deliveries) = structure(p)?;
    Ok(Expanded { codes, deliveries })
}

/// A program's codes and deliveries expanded from their runs, as
/// [`verify_structure`] checked them.
pub struct Expanded {
    pub codes: Vec<Vec<Ctl>>,
    pub deliveries: super::isa::Deliveries,
}

/// The codes expanded, what each uses, and the deliveries expanded.
type Structure = (Vec<Vec<Ctl>>, Vec<CodeUse>, super::isa::Deliveries);

/// The structural checks; the codes expanded, what each uses, and the
/// deliveries expanded.
fn structure(p: &Program) -> Result<Structure, VerifyError> {
    let npes = (p.rows as usize)
        .checked_mul(p.cols as usize)
        .ok_or("set too large")?;
    if p.pes.len() != npes {
        return Err(format!(
            "{} PE entries for a {} x {} set",
            p.pes.len(),
            p.rows,
            p.cols
        )
        .into());
    }
    // A program read from a file may claim any size: bound the work before
    // expanding anything.
    if (npes as u64).saturating_mul(p.length as u64) > MAX_VERIFY_PE_CYCLES {
        return Err(format!(
            "{npes} PEs x {} cycles is more than the {MAX_VERIFY_PE_CYCLES} PE-cycles cnnc verifies",
            p.length
        )
        .into());
    }
    let codes: Vec<Vec<Ctl>> = p
        .codes
        .iter()
        .map(|c| Program::expand_capped(c, p.length as usize))
        .collect::<Result<_, _>>()?;
    let out_len = p.out_shape.h.saturating_mul(p.out_shape.w);
    let uses: Vec<CodeUse> = codes.iter().map(|c| CodeUse::of(c)).collect();
    // Output indices written, checked for repeats after the scan (the
    // output tensor's claimed size is not trusted for an allocation).
    let mut written: Vec<u64> = Vec::new();
    for (i, pe) in p.pes.iter().enumerate() {
        let code = codes
            .get(pe.code as usize)
            .ok_or_else(|| format!("PE {i}: code {} does not exist", pe.code))?;
        if code.len() + pe.start as usize > p.length as usize {
            return Err(format!(
                "PE {i}: code runs {} cycles, program length is {}",
                code.len(),
                p.length
            )
            .into());
        }
        // Lengths from the run counts: expanding a corrupt program's runs
        // could allocate without bound.
        let sizes = (
            u32::try_from(pe.ifmap_len())
                .map_err(|_| format!("PE {i}: ifmap contents too long"))?,
            u32::try_from(pe.filter_len())
                .map_err(|_| format!("PE {i}: filter contents too long"))?,
        );
        let u = &uses[pe.code as usize];
        if !u.fits(sizes, pe.psum_entries, pe.out_base as u64, out_len) {
            // Some address is out of range: find the first, cycle by cycle.
            check_addresses(i, pe, code, sizes, out_len)?;
        }
        written.extend(u.outs.iter().map(|&o| o as u64 + pe.out_base as u64));
    }
    // Deliveries: in cycle order, to existing PEs, within the scratchpad
    // they fill, and before the program ends.
    let mut last = 0;
    let deliveries = p.expand_deliveries(MAX_DELIVERIES)?;
    for (k, d) in deliveries.iter().enumerate() {
        if d.cycle < last || d.cycle >= p.length.max(1) {
            return Err(format!(
                "delivery {k} at cycle {} is out of order or after the end",
                d.cycle
            )
            .into());
        }
        last = d.cycle;
        for &(pe, addr) in d.targets {
            let e = p
                .pes
                .get(pe as usize)
                .ok_or_else(|| format!("delivery {k} targets PE {pe}, which does not exist"))?;
            let size = match d.net {
                crate::vocab::Net::Ifmap => e.ifmap_len(),
                crate::vocab::Net::Filter => e.filter_len(),
                // A returning psum joins IN_PSUM; its address is unused.
                crate::vocab::Net::Psum => u64::MAX,
            };
            if addr as u64 >= size {
                return Err(format!(
                    "delivery {k} writes address {addr} of a {size}-entry scratchpad"
                )
                .into());
            }
        }
    }
    written.sort_unstable();
    if let Some(w) = written.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("output element {} is written more than once", w[0]).into());
    }
    Ok((codes, uses, deliveries))
}

/// The addresses and outputs of one code, found once for every PE that
/// runs it.
struct CodeUse {
    /// Largest ifmap, filter, psum read and psum write address (`None`:
    /// not used).
    max: [Option<u32>; 4],
    /// Output indices relative to the PE's base, in cycle order, and the
    /// largest.
    outs: Vec<u32>,
    max_out: Option<u32>,
    /// Cycles of the code where its queues move: an output written, a psum
    /// taken in or pushed.
    events: Vec<u32>,
}

impl CodeUse {
    fn of(code: &[Ctl]) -> CodeUse {
        let used = |v: u32| (v != NONE).then_some(v);
        let mut max = [None; 4];
        let mut outs = Vec::new();
        let mut events = Vec::new();
        for (t, c) in code.iter().enumerate() {
            for (m, v) in max.iter_mut().zip([c.ifm, c.fil, c.psum_rd, c.psum_wr]) {
                *m = (*m).max(used(v));
            }
            if c.out != NONE {
                outs.push(c.out);
            }
            if c.out != NONE || c.flags & (FLAG_TAKE_IN | FLAG_PUSH) != 0 {
                events.push(t as u32);
            }
        }
        let max_out = outs.iter().copied().max();
        CodeUse {
            max,
            outs,
            max_out,
            events,
        }
    }

    /// Whether every address is in range for a PE with these scratchpad
    /// sizes and output base.
    fn fits(&self, (ni, nf): (u32, u32), psum: u32, out_base: u64, out_len: u64) -> bool {
        let below = |m: Option<u32>, n: u32| m.is_none_or(|m| m < n);
        below(self.max[0], ni)
            && below(self.max[1], nf)
            && below(self.max[2], psum)
            && below(self.max[3], psum)
            && self.max_out.is_none_or(|o| o as u64 + out_base < out_len)
    }
}

/// The first address of PE `i` out of range, cycle by cycle.
fn check_addresses(
    i: usize,
    pe: &super::isa::PeEntry,
    code: &[Ctl],
    (ni, nf): (u32, u32),
    out_len: u64,
) -> Result<(), VerifyError> {
    for (t, c) in code.iter().enumerate() {
        let check = |v: u32, n: u32, what: &str| {
            if v != NONE && v >= n {
                Err(VerifyError::Malformed(format!(
                    "PE {i} cycle {t}: {what} address {v} out of range (size {n})"
                )))
            } else {
                Ok(())
            }
        };
        check(c.ifm, ni, "ifmap")?;
        check(c.fil, nf, "filter")?;
        check(c.psum_rd, pe.psum_entries, "psum read")?;
        check(c.psum_wr, pe.psum_entries, "psum write")?;
        if c.out != NONE {
            let o = c.out as u64 + pe.out_base as u64;
            if o >= out_len {
                return Err(
                    format!("PE {i} cycle {t}: output {o} out of range ({out_len})").into(),
                );
            }
        }
    }
    Ok(())
}

/// The queues' occupancy over the program's cycles. A cycle in which no PE
/// writes an output, takes or pushes a psum, no psum returns, no output
/// buffer holds anything and no queue has a psum to forward changes
/// nothing, so the run jumps from such a cycle to the next one with an
/// event.
fn queue_dry_run(
    p: &Program,
    codes: &[Vec<Ctl>],
    uses: &[CodeUse],
    depth: u64,
    bw: u64,
) -> Result<(), VerifyError> {
    let n = p.pes.len();
    let cols = p.cols as usize;
    let (mut outq, mut inq, mut obuf) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    let order = scan_order(p.rows as usize, cols);
    let forwards = p.forwards_up();
    let depth_of = |i: usize| ofmap_buffer_depth(uses[p.pes[i].code as usize].outs.len() as u64);
    let ctl = |i: usize, t: usize| {
        let e = &p.pes[i];
        t.checked_sub(e.start as usize)
            .and_then(|t| codes[e.code as usize].get(t))
            .copied()
            .unwrap_or(Ctl::IDLE)
    };
    // Each PE's next event: an index into its code's events.
    let mut next = vec![0usize; n];
    let event_at = |i: usize, k: usize| {
        let e = &p.pes[i];
        uses[e.code as usize]
            .events
            .get(k)
            .map(|&c| c as usize + e.start as usize)
    };
    // Returning psums join their PE's IN_PSUM queue at their cycle.
    let deliveries = p
        .expand_deliveries(crate::bytecode::array::MAX_DELIVERIES)
        .map_err(VerifyError::Malformed)?;
    let returning: Vec<(usize, usize)> = deliveries
        .iter()
        .filter(|d| d.net == crate::vocab::Net::Psum)
        .flat_map(|d| {
            d.targets
                .iter()
                .map(move |&(pe, _)| (d.cycle as usize, pe as usize))
        })
        .collect();
    let mut next_return = 0;
    let mut wrote = vec![false; n];
    let mut t = 0;
    while t < p.length as usize {
        while let Some(&(_, i)) = returning.get(next_return).filter(|r| r.0 == t) {
            next_return += 1;
            let q = inq.get_mut(i).ok_or_else(|| {
                VerifyError::Malformed(format!("a psum returns to PE {i}, which does not exist"))
            })?;
            *q += 1;
            if *q > depth {
                return Err(VerifyError::Capacity(format!(
                    "PE {i} cycle {t}: a returning psum overflows IN_PSUM's {depth} entries"
                )));
            }
        }
        let mut left = bw;
        wrote.fill(false);
        for &i in &order {
            let mut used = false;
            if left > 0 && obuf[i] > 0 {
                obuf[i] -= 1;
                left -= 1;
                used = true;
            }
            if ctl(i, t).out != NONE {
                if outq[i] == 0 {
                    return Err(format!(
                        "PE {i} cycle {t}: output write with an empty OUT_PSUM queue"
                    )
                    .into());
                }
                outq[i] -= 1;
                wrote[i] = true;
                if used || left == 0 {
                    obuf[i] += 1;
                    if obuf[i] > depth_of(i) {
                        return Err(VerifyError::Capacity(format!(
                            "PE {i} cycle {t}: output buffer overflow"
                        )));
                    }
                } else {
                    left -= 1;
                }
            }
        }
        for &i in &order {
            if forwards[i] && !wrote[i] && outq[i] > 0 {
                outq[i] -= 1;
                inq[i - cols] += 1;
                if inq[i - cols] > depth {
                    return Err(VerifyError::Capacity(format!(
                        "PE {} cycle {t}: IN_PSUM overflows its {depth} entries",
                        i - cols
                    )));
                }
            }
        }
        for i in 0..n {
            while event_at(i, next[i]).is_some_and(|c| c <= t) {
                next[i] += 1;
            }
            let c = ctl(i, t);
            if c.flags & FLAG_TAKE_IN != 0 {
                if inq[i] == 0 {
                    return Err(format!(
                        "PE {i} cycle {t}: takes a psum from an empty IN_PSUM queue"
                    )
                    .into());
                }
                inq[i] -= 1;
            }
            if c.flags & FLAG_PUSH != 0 {
                outq[i] += 1;
                if outq[i] > depth {
                    return Err(VerifyError::Capacity(format!(
                        "PE {i} cycle {t}: OUT_PSUM overflows its {depth} entries"
                    )));
                }
            }
        }
        let quiet = (0..n).all(|i| obuf[i] == 0 && !(forwards[i] && outq[i] > 0));
        t = if quiet {
            let events = (0..n).filter_map(|i| event_at(i, next[i]));
            let returns = returning.get(next_return).map(|r| r.0);
            events
                .chain(returns)
                .min()
                .unwrap_or(p.length as usize)
                .max(t + 1)
        } else {
            t + 1
        };
    }
    Ok(())
}

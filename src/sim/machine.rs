//! The cycle loop over the PE array: before the PEs advance in a cycle, the
//! ofmap network writes outputs to the global buffer (at most `noc.ofmap`
//! per cycle; the rest wait in per-PE buffers) and the local psum network
//! moves one psum per link up each column. After the last control cycle the
//! output buffers drain.

use super::network::{scan_order, OFMAP_BUFFER_DEPTH};
use super::pe::{Pe, PeCounters, SimError};
use crate::bytecode::{expand_init, Ctl, Program, FLAG_PUSH, NONE};
use crate::ir::Src;

/// Array parameters the loop needs.
#[derive(Debug, Clone, Copy)]
pub struct ArrayParams {
    pub fifo_depth: u64,
    pub ofmap_bw: u64,
    pub zero_gating: bool,
}

/// What one run of a program produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Cycles of control executed.
    pub length: u64,
    /// Drain steps after the control ended, the final empty check included.
    pub drain_steps: u64,
    /// First and last cycle an output reached the global buffer.
    pub first_write: Option<u64>,
    pub last_write: Option<u64>,
    /// Row-major output tensor; `None` where nothing was written.
    pub outputs: Vec<Option<i64>>,
    pub pes: Vec<PeCounters>,
    pub zero_gated: u64,
}

impl Run {
    /// The original's `cycles_total`: control cycles, drain steps (the final
    /// empty check included), plus one.
    pub fn cycles(&self) -> u64 {
        self.length + self.drain_steps + 1
    }
    pub fn macs(&self) -> u64 {
        self.pes.iter().map(|p| p.macs).sum()
    }
    pub fn zero_macs(&self) -> u64 {
        self.pes.iter().map(|p| p.zero_macs).sum()
    }
    pub fn busy_cycles(&self) -> u64 {
        self.pes.iter().map(|p| p.busy_span()).max().unwrap_or(0)
    }
    /// Cycles from the first to the last output write.
    pub fn write_span(&self) -> u64 {
        match (self.first_write, self.last_write) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        }
    }
}

/// Runs `p` with scratchpads preloaded from `resolve`.
pub fn run(
    p: &Program,
    params: ArrayParams,
    resolve: &dyn Fn(Src) -> Option<i64>,
) -> Result<Run, SimError> {
    let cols = p.cols.max(1) as usize;
    let err = |i: usize, t: u64, what: String| SimError {
        x: (i / cols) as u32,
        y: (i % cols) as u32,
        cycle: t,
        what,
    };
    let codes: Vec<Vec<Ctl>> = p.codes.iter().map(|c| Program::expand(c)).collect();
    let mut pes = Vec::with_capacity(p.pes.len());
    let mut code_of = Vec::with_capacity(p.pes.len());
    for (i, e) in p.pes.iter().enumerate() {
        let load = |runs| -> Result<Vec<i64>, SimError> {
            expand_init(runs)
                .into_iter()
                .map(|s| {
                    resolve(s).ok_or_else(|| err(i, 0, format!("preload of {s}: no such element")))
                })
                .collect()
        };
        let ifm = load(&e.ifmap_init)?;
        let fil = load(&e.filter_init)?;
        let code = codes
            .get(e.code as usize)
            .ok_or_else(|| err(i, 0, format!("code {} does not exist", e.code)))?;
        code_of.push(code.as_slice());
        pes.push(Pe::new(
            ifm,
            fil,
            e.psum_entries as usize,
            p.pipeline_mul as usize,
            params.zero_gating,
        ));
    }
    let out_len = (p.out_shape.h * p.out_shape.w) as usize;
    let mut outputs: Vec<Option<i64>> = vec![None; out_len];
    let order = scan_order(p.rows as usize, cols);
    let depth = params.fifo_depth as usize;
    let mut first_write = None;
    let mut last_write = None;
    let mut write = |i: usize, o: u32, v: i64, t: u64, pe: &mut Pe| -> Result<(), SimError> {
        let slot = outputs
            .get_mut(o as usize)
            .ok_or_else(|| err(i, t, format!("output {o} out of range")))?;
        if slot.is_some() {
            return Err(err(i, t, format!("output {o} written twice")));
        }
        *slot = Some(v);
        pe.n.glb_writes += 1;
        first_write.get_or_insert(t);
        last_write = Some(t);
        Ok(())
    };
    // The networks only need to visit PEs with an output due this cycle
    // (`due`, fixed by the program) or with something queued for them
    // (`waiting`): bit sets over scan positions, walked in scan order.
    let n = pes.len();
    let words = n.div_ceil(64);
    let mut pos_of = vec![0usize; n];
    for (pos, &i) in order.iter().enumerate() {
        pos_of[i] = pos;
    }
    let length = p.length as usize;
    let mut due = vec![0u64; length * words];
    for (pos, &i) in order.iter().enumerate() {
        for (t, c) in code_of[i].iter().enumerate().take(length) {
            if c.out != NONE {
                due[t * words + pos / 64] |= 1 << (pos % 64);
            }
        }
    }
    let mut waiting = vec![0u64; words];
    for t in 0..p.length as u64 {
        // Ofmap network, then the local psum network, in one scan.
        let mut left = params.ofmap_bw;
        for w in 0..words {
            let mut bits = waiting[w] | due[t as usize * words + w];
            while bits != 0 {
                let pos = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let i = order[pos];
                let ctl = code_of[i].get(t as usize).copied().unwrap_or(Ctl::IDLE);
                let pe = &mut pes[i];
                let mut used = false;
                if left > 0 {
                    if let Some((o, v)) = pe.out_buffer.pop_front() {
                        write(i, o, v, t, pe)?;
                        left -= 1;
                        used = true;
                    }
                }
                let mut wrote = false;
                if ctl.out != NONE {
                    let o = ctl.out + p.pes[i].out_base;
                    let v = pe.out_psum.pop_front().ok_or_else(|| {
                        err(i, t, format!("output {o} due but OUT_PSUM is empty"))
                    })?;
                    pe.n.out_psum_gets += 1;
                    wrote = true;
                    if used || left == 0 {
                        if pe.out_buffer.len() as u64 >= OFMAP_BUFFER_DEPTH {
                            return Err(err(i, t, "output buffer overflow".into()));
                        }
                        pe.out_buffer.push_back((o, v));
                    } else {
                        write(i, o, v, t, pe)?;
                        left -= 1;
                    }
                }
                // Local psum network: one psum per link, upward, from PEs that
                // did not write to the global buffer this cycle. It only touches
                // the upper PE's IN_PSUM, which the ofmap network never reads, so
                // it can share this scan.
                if i >= cols && !wrote {
                    if let Some(v) = pes[i].out_psum.pop_front() {
                        pes[i].n.out_psum_gets += 1;
                        let up = &mut pes[i - cols];
                        if up.in_psum.len() >= depth {
                            return Err(err(
                                i - cols,
                                t,
                                format!("IN_PSUM queue overflow (depth {depth})"),
                            ));
                        }
                        up.in_psum.push_back(v);
                        up.n.in_psum_puts += 1;
                        up.n.max_in_psum = up.n.max_in_psum.max(up.in_psum.len() as u64);
                    }
                }
                let pe = &pes[i];
                if pe.out_buffer.is_empty() && (i < cols || pe.out_psum.is_empty()) {
                    waiting[w] &= !(1 << (pos % 64));
                } else {
                    waiting[w] |= 1 << (pos % 64);
                }
            }
        }
        for (i, pe) in pes.iter_mut().enumerate() {
            if let Some(c) = code_of[i].get(t as usize) {
                pe.step(c, t, depth).map_err(|w| err(i, t, w))?;
                if i >= cols && c.flags & FLAG_PUSH != 0 {
                    let pos = pos_of[i];
                    waiting[pos / 64] |= 1 << (pos % 64);
                }
            }
        }
    }
    // Drain the output buffers, visiting only PEs that still hold outputs.
    let mut holding: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| !pes[i].out_buffer.is_empty())
        .collect();
    let mut t = p.length as u64;
    let mut drain_steps = 0;
    loop {
        drain_steps += 1;
        let mut left = params.ofmap_bw;
        let mut active = false;
        for &i in &holding {
            if left == 0 {
                break;
            }
            let pe = &mut pes[i];
            if let Some((o, v)) = pe.out_buffer.pop_front() {
                write(i, o, v, t, pe)?;
                left -= 1;
                active = true;
            }
        }
        holding.retain(|&i| !pes[i].out_buffer.is_empty());
        t += 1;
        if !active {
            break;
        }
    }
    let zero_gated = pes.iter().map(|p| p.zero_gated).sum();
    Ok(Run {
        length: p.length as u64,
        drain_steps,
        first_write,
        last_write,
        outputs,
        pes: pes.into_iter().map(|p| p.n).collect(),
        zero_gated,
    })
}

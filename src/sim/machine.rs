//! The cycle loop over the PE array: before the PEs advance in a cycle, the
//! ofmap network writes outputs to the global buffer (at most `noc.ofmap`
//! per cycle; the rest wait in per-PE buffers) and the local psum network
//! moves one psum per link up each column. After the last control cycle the
//! output buffers drain.

use super::glb_banks::{GlbEvent, GlbUse};
use super::pe::{Pe, PeCounters, Pipelines, SimError};
use super::scratchpads::{Bank, Scratchpads};
use crate::bytecode::array::{ofmap_buffer_depth, scan_order, MAX_DELIVERIES};
use crate::bytecode::Expanded;
use crate::bytecode::{expand_init, Ctl, Deliveries, Program, FLAG_PUSH, FLAG_TAKE_IN, NONE};
use crate::ir::{Net, Src};

/// Array parameters the loop needs.
#[derive(Debug, Clone, Copy)]
pub struct ArrayParams {
    pub fifo_depth: u64,
    pub ofmap_bw: u64,
    pub zero_gating: bool,
}

impl ArrayParams {
    /// The loop's parameters of `arch`: the one place they are read.
    pub fn of(arch: &crate::model::Arch) -> ArrayParams {
        ArrayParams {
            fifo_depth: arch.fifo_depth,
            ofmap_bw: arch.noc_ofmap,
            zero_gating: arch.zero_gating,
        }
    }
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
    /// Physical passes: elements the global buffer sent on the ifmap and
    /// filter networks (one per multicast), and inserted zeros PEs wrote
    /// themselves.
    pub ifmap_sends: u64,
    pub filter_sends: u64,
    /// Partial sums the global buffer returned on the psum network.
    pub psum_sends: u64,
    /// Scratchpad entries the ifmap and filter networks wrote (a multicast
    /// to k PEs counts k).
    pub ifmap_arrivals: u64,
    pub filter_arrivals: u64,
    pub local_fills: u64,
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

/// A program flattened into indexed tables: dense control per distinct
/// code, the PEs grouped by code, scratchpad contents as sources, and the
/// cycles at which each PE owes an output. Built once; [`Machine::run`] then
/// runs it on any data without redoing that work.
pub struct Machine {
    params: ArrayParams,
    cols: usize,
    length: usize,
    mul_stages: usize,
    add_stages: usize,
    out_len: usize,
    codes: Vec<Vec<Ctl>>,
    /// Per PE: its code, output base, scratchpad sources and psum entries.
    code_of: Vec<usize>,
    out_base: Vec<u32>,
    inits: Vec<(Vec<Src>, Vec<Src>)>,
    psum_entries: Vec<usize>,
    /// Ifmap and filter scratchpad entries per PE (deliveries fill those
    /// beyond the preloaded contents).
    capacities: Vec<(usize, usize)>,
    deliveries: Deliveries,
    /// Scan order of the networks, and each PE's position in it.
    order: Vec<usize>,
    pos_of: Vec<usize>,
    /// Bit sets over scan positions, one per control cycle: the PEs whose
    /// control writes an output that cycle.
    due: Vec<u64>,
    words: usize,
    /// (code, start, PEs) groups.
    by_code: Vec<(usize, usize, Vec<usize>)>,
    /// What each group's word sequence does whatever the data.
    group_counts: Vec<WordCounts>,
    /// Per code: the outputs a PE running it may hold back.
    obuf_depth: Vec<u64>,
    start: Vec<usize>,
    /// Per PE: the local psum network moves its psums up a row.
    forwards: Vec<bool>,
}

impl Machine {
    /// Flattens `p`. Fails if a PE names a code that does not exist.
    pub fn new(p: &Program, params: ArrayParams) -> Result<Machine, SimError> {
        let fail = |what| SimError {
            x: 0,
            y: 0,
            cycle: 0,
            what,
        };
        let codes: Vec<Vec<Ctl>> = p
            .codes
            .iter()
            .map(|c| Program::expand_capped(c, p.length as usize))
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let deliveries = p.expand_deliveries(MAX_DELIVERIES).map_err(fail)?;
        Machine::from_expanded(p, Expanded { codes, deliveries }, params)
    }

    /// Flattens `p` from its codes and deliveries already expanded: by
    /// [`Machine::new`], or by [`crate::bytecode::verify_structure`],
    /// which checked them on the way, so a checked program is not
    /// expanded twice.
    pub fn from_expanded(
        p: &Program,
        expanded: Expanded,
        params: ArrayParams,
    ) -> Result<Machine, SimError> {
        let Expanded { codes, deliveries } = expanded;
        let cols = p.cols.max(1) as usize;
        let n = p.pes.len();
        let mut code_of = Vec::with_capacity(n);
        for (i, e) in p.pes.iter().enumerate() {
            if e.code as usize >= codes.len() {
                return Err(SimError {
                    x: (i / cols) as u32,
                    y: (i % cols) as u32,
                    cycle: 0,
                    what: format!("code {} does not exist", e.code),
                });
            }
            code_of.push(e.code as usize);
        }
        let order = scan_order(p.rows as usize, cols);
        let mut pos_of = vec![0usize; n];
        for (pos, &i) in order.iter().enumerate() {
            pos_of[i] = pos;
        }
        let words = n.div_ceil(64);
        let length = p.length as usize;
        let mut due = vec![0u64; length * words];
        // The words of each code that write an output, found once per code
        // rather than once per PE.
        let outs: Vec<Vec<usize>> = codes
            .iter()
            .map(|c| (0..c.len()).filter(|&t| c[t].out != NONE).collect())
            .collect();
        for (pos, &i) in order.iter().enumerate() {
            let start = p.pes[i].start as usize;
            for &t in &outs[code_of[i]] {
                let t = t + start;
                if t >= length {
                    break;
                }
                due[t * words + pos / 64] |= 1 << (pos % 64);
            }
        }
        // PEs with the same code and start execute the same word each cycle.
        // (Indexed by a map: a linear search is quadratic in the PEs.)
        let mut by_code: Vec<(usize, usize, Vec<usize>)> = Vec::new();
        let mut group_of = std::collections::HashMap::new();
        for (i, &c) in code_of.iter().enumerate() {
            let start = p.pes[i].start as usize;
            let g = *group_of.entry((c, start)).or_insert_with(|| {
                by_code.push((c, start, Vec::new()));
                by_code.len() - 1
            });
            by_code[g].2.push(i);
        }
        let group_counts = by_code
            .iter()
            .map(|&(c, start, _)| WordCounts::of(&codes[c], start, length))
            .collect();
        Ok(Machine {
            obuf_depth: outs
                .iter()
                .map(|o| ofmap_buffer_depth(o.len() as u64))
                .collect(),
            group_counts,
            params,
            cols,
            length,
            mul_stages: p.pipeline_mul as usize,
            add_stages: p.pipeline_add as usize,
            out_len: (p.out_shape.h * p.out_shape.w) as usize,
            codes,
            code_of,
            out_base: p.pes.iter().map(|e| e.out_base).collect(),
            start: p.pes.iter().map(|e| e.start as usize).collect(),
            inits: p
                .pes
                .iter()
                .map(|e| (expand_init(&e.ifmap_init), expand_init(&e.filter_init)))
                .collect(),
            psum_entries: p.pes.iter().map(|e| e.psum_entries as usize).collect(),
            capacities: p
                .pes
                .iter()
                .map(|e| (e.ifmap_capacity as usize, e.filter_capacity as usize))
                .collect(),
            deliveries,
            order,
            pos_of,
            due,
            words,
            by_code,
            forwards: p.forwards_up(),
        })
    }

    /// Runs the program with scratchpads preloaded from `resolve`.
    pub fn run(&self, resolve: &dyn Fn(Src) -> Option<i64>) -> Result<Run, SimError> {
        self.run_logged(resolve, None)
    }

    /// [`Machine::run`], noting in `log` every global-buffer access the
    /// networks make (what the bank model of `glb_banks` reads), in cycle
    /// order.
    pub fn run_logged(
        &self,
        resolve: &dyn Fn(Src) -> Option<i64>,
        mut log: Option<&mut Vec<GlbEvent>>,
    ) -> Result<Run, SimError> {
        let mut note = |t: u64, what: GlbUse| {
            if let Some(l) = log.as_deref_mut() {
                l.push(GlbEvent { cycle: t, what });
            }
        };
        let Machine {
            params,
            cols,
            length,
            words,
            ref codes,
            ref code_of,
            ref order,
            ref pos_of,
            ref due,
            ref by_code,
            ..
        } = *self;
        let err = |i: usize, t: u64, what: String| SimError {
            x: (i / cols) as u32,
            y: (i % cols) as u32,
            cycle: t,
            what,
        };
        let n = self.inits.len();
        let sizes =
            |f: &dyn Fn(usize) -> usize| -> Vec<u32> { (0..n).map(|i| f(i) as u32).collect() };
        let mut rf = Scratchpads {
            ifmap: Bank::new(sizes(&|i| self.inits[i].0.len().max(self.capacities[i].0))),
            filter: Bank::new(sizes(&|i| self.inits[i].1.len().max(self.capacities[i].1))),
            psum: Bank::new(sizes(&|i| self.psum_entries[i])),
        };
        let mut pes = Vec::with_capacity(n);
        for (i, (ifm, fil)) in self.inits.iter().enumerate() {
            for (bank, srcs) in [(&mut rf.ifmap, ifm), (&mut rf.filter, fil)] {
                for (a, &s) in srcs.iter().enumerate() {
                    let v = resolve(s)
                        .ok_or_else(|| err(i, 0, format!("preload of {s}: no such element")))?;
                    bank.set(i, a as u32, v)
                        .ok_or_else(|| err(i, 0, "preload beyond the scratchpad".to_string()))?;
                }
            }
            pes.push(Pe::new((ifm.len(), fil.len())));
        }
        let mut outputs: Vec<Option<i64>> = vec![None; self.out_len];
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
        // The networks only visit PEs with an output due this cycle (`due`),
        // a psum to forward up (`forward`) or, while the global buffer
        // still takes writes this cycle, outputs waiting for it (`holding`),
        // in scan order: a PE holding outputs once the cycle's writes are
        // spent has nothing to do (with `noc.ofmap = 1` most of them).
        let mut holding = vec![0u64; words];
        let mut forward = vec![0u64; words];
        let mut pipes: Vec<Pipelines> = by_code
            .iter()
            .map(|(_, _, members)| Pipelines::new((self.mul_stages, self.add_stages), members, &rf))
            .collect();
        let mut next_delivery = 0usize;
        let (mut ifmap_sends, mut filter_sends, mut local_fills) = (0u64, 0u64, 0u64);
        let mut psum_sends = 0u64;
        let (mut ifmap_arrivals, mut filter_arrivals) = (0u64, 0u64);
        for t in 0..length as u64 {
            // Deliveries due this cycle reach their scratchpads before the
            // PEs read (physical passes only).
            while let Some(d) = self
                .deliveries
                .get(next_delivery)
                .filter(|d| d.cycle as u64 == t)
            {
                next_delivery += 1;
                let v = resolve(d.src)
                    .ok_or_else(|| err(0, t, format!("delivery of {}: no such element", d.src)))?;
                match (d.local, d.net) {
                    (true, _) => local_fills += d.targets.len() as u64,
                    (false, Net::Ifmap) => {
                        ifmap_sends += 1;
                        ifmap_arrivals += d.targets.len() as u64;
                    }
                    (false, Net::Filter) => {
                        filter_sends += 1;
                        filter_arrivals += d.targets.len() as u64;
                    }
                    (false, Net::Psum) => psum_sends += 1,
                }
                if !d.local {
                    note(t, GlbUse::Read(d.net, d.src));
                }
                for &(pe, addr) in d.targets {
                    let i = pe as usize;
                    if d.net == Net::Psum {
                        // A returning psum joins the PE's IN_PSUM queue.
                        let q = &mut pes
                            .get_mut(i)
                            .ok_or_else(|| {
                                err(0, t, format!("delivery to PE {pe}, which does not exist"))
                            })?
                            .in_psum;
                        if q.len() >= depth {
                            return Err(err(
                                i,
                                t,
                                format!("IN_PSUM queue overflow (depth {depth})"),
                            ));
                        }
                        q.push_back(v);
                        continue;
                    }
                    pes.get_mut(i)
                        .ok_or_else(|| {
                            err(0, t, format!("delivery to PE {pe}, which does not exist"))
                        })?
                        .deliver(i, &mut rf, d.net, addr, v)
                        .map_err(|w| err(i, t, w))?;
                }
            }
            // Ofmap network, then the local psum network, in one scan.
            let mut left = params.ofmap_bw;
            for w in 0..words {
                let held = if left > 0 { holding[w] } else { 0 };
                let mut bits = held | forward[w] | due[t as usize * words + w];
                while bits != 0 {
                    let pos = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let i = order[pos];
                    let ctl = (t as usize)
                        .checked_sub(self.start[i])
                        .and_then(|t| codes[code_of[i]].get(t))
                        .copied()
                        .unwrap_or(Ctl::IDLE);
                    let pe = &mut pes[i];
                    let mut used = false;
                    if left > 0 {
                        if let Some((o, v)) = pe.out_buffer.pop_front() {
                            write(i, o, v, t, pe)?;
                            note(t, GlbUse::Write(o));
                            left -= 1;
                            used = true;
                        }
                    }
                    let mut wrote = false;
                    if ctl.out != NONE {
                        let o = ctl.out + self.out_base[i];
                        let v = pe.out_psum.pop_front().ok_or_else(|| {
                            err(i, t, format!("output {o} due but OUT_PSUM is empty"))
                        })?;
                        pe.n.out_psum_gets += 1;
                        wrote = true;
                        if used || left == 0 {
                            if pe.out_buffer.len() as u64 >= self.obuf_depth[code_of[i]] {
                                return Err(err(i, t, "output buffer overflow".into()));
                            }
                            pe.out_buffer.push_back((o, v));
                        } else {
                            write(i, o, v, t, pe)?;
                            note(t, GlbUse::Write(o));
                            left -= 1;
                        }
                    }
                    // Local psum network: one psum per link, upward, from PEs that
                    // did not write to the global buffer this cycle. It only touches
                    // the upper PE's IN_PSUM, which the ofmap network never reads, so
                    // it can share this scan.
                    if self.forwards[i] && !wrote {
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
                    let bit = 1 << (pos % 64);
                    if pe.out_buffer.is_empty() {
                        holding[w] &= !bit;
                    } else {
                        holding[w] |= bit;
                    }
                    if self.forwards[i] && !pe.out_psum.is_empty() {
                        forward[w] |= bit;
                    } else {
                        forward[w] &= !bit;
                    }
                }
            }
            // PEs that share a code execute the same control word this cycle:
            // decoding it once and stepping them together keeps the branches of
            // the PE step predictable. PEs only touch their own state here.
            for ((code, start, members), pipes) in by_code.iter().zip(pipes.iter_mut()) {
                let Some(c) = (t as usize)
                    .checked_sub(*start)
                    .and_then(|t| codes[*code].get(t))
                else {
                    continue;
                };
                // An idle word on PEs with nothing in flight changes no
                // state (`Pipelines::settled`): the stretched windows of a
                // pass the networks hold back are mostly such cycles.
                if c.is_idle() && pipes.settled() {
                    continue;
                }
                pipes
                    .step(members, &mut pes, &mut rf, c, depth)
                    .map_err(|(i, w)| err(i, t, w))?;
                if c.flags & FLAG_PUSH != 0 {
                    for &i in members.iter().filter(|&&i| self.forwards[i]) {
                        let pos = pos_of[i];
                        forward[pos / 64] |= 1 << (pos % 64);
                    }
                }
            }
        }
        // Drain the output buffers, visiting only PEs that still hold
        // outputs: each step the first `noc.ofmap` of them in scan order
        // write one output each. Only those can empty, so only they are
        // put back (a retain over all holders per step is quadratic).
        let mut holding: std::collections::VecDeque<usize> = order
            .iter()
            .copied()
            .filter(|&i| !pes[i].out_buffer.is_empty())
            .collect();
        let mut t = length as u64;
        let mut drain_steps = 0;
        let mut served = Vec::new();
        loop {
            drain_steps += 1;
            let mut left = params.ofmap_bw;
            let mut active = false;
            served.clear();
            while left > 0 {
                let Some(i) = holding.pop_front() else { break };
                let pe = &mut pes[i];
                if let Some((o, v)) = pe.out_buffer.pop_front() {
                    write(i, o, v, t, pe)?;
                    note(t, GlbUse::Write(o));
                    left -= 1;
                    active = true;
                }
                served.push(i);
            }
            for &i in served.iter().rev() {
                if !pes[i].out_buffer.is_empty() {
                    holding.push_front(i);
                }
            }
            t += 1;
            if !active {
                break;
            }
        }
        for (((_, _, members), w), pipes) in self.by_code.iter().zip(&self.group_counts).zip(&pipes)
        {
            for (&i, &zeros) in members.iter().zip(&pipes.zero_macs) {
                w.add_to(&mut pes[i].n);
                pes[i].n.adds += pipes.adds;
                pes[i].n.zero_macs += zeros;
            }
        }
        // With zero gating, every product with a zero operand is gated.
        let zero_gated = if params.zero_gating {
            pes.iter().map(|p| p.n.zero_macs).sum()
        } else {
            0
        };
        Ok(Run {
            length: length as u64,
            drain_steps,
            first_write,
            last_write,
            outputs,
            pes: pes.into_iter().map(|p| p.n).collect(),
            ifmap_sends,
            filter_sends,
            psum_sends,
            ifmap_arrivals,
            filter_arrivals,
            local_fills,
            zero_gated,
        })
    }
}

/// The counts a PE's words give whatever the data: every word of its code
/// from its start to the program's end runs once (a run that breaks an
/// invariant reports the error instead of counts).
#[derive(Debug, Clone, Copy, Default)]
struct WordCounts {
    ifmap_reads: u64,
    filter_reads: u64,
    macs: u64,
    psum_reads: u64,
    psum_writes: u64,
    in_psum_gets: u64,
    out_psum_puts: u64,
    first_mac: Option<u64>,
    last_mac: Option<u64>,
}

impl WordCounts {
    fn of(code: &[Ctl], start: usize, length: usize) -> WordCounts {
        let mut w = WordCounts::default();
        let runs = length.saturating_sub(start).min(code.len());
        for (k, c) in code[..runs].iter().enumerate() {
            let t = (start + k) as u64;
            let (ifm, fil) = (c.ifm != NONE, c.fil != NONE);
            w.ifmap_reads += ifm as u64;
            w.filter_reads += fil as u64;
            if ifm && fil {
                w.macs += 1;
                w.first_mac.get_or_insert(t);
                w.last_mac = Some(t);
            }
            w.psum_reads += (c.psum_rd != NONE) as u64;
            w.psum_writes += (c.psum_wr != NONE) as u64;
            w.in_psum_gets += (c.flags & FLAG_TAKE_IN != 0) as u64;
            w.out_psum_puts += (c.flags & FLAG_PUSH != 0) as u64;
        }
        w
    }

    fn add_to(&self, n: &mut PeCounters) {
        n.ifmap_reads += self.ifmap_reads;
        n.filter_reads += self.filter_reads;
        n.macs += self.macs;
        n.psum_reads += self.psum_reads;
        n.psum_writes += self.psum_writes;
        n.in_psum_gets += self.in_psum_gets;
        n.out_psum_puts += self.out_psum_puts;
        n.first_mac = n.first_mac.or(self.first_mac);
        n.last_mac = self.last_mac.or(n.last_mac);
    }
}

/// Runs `p` once with scratchpads preloaded from `resolve`.
pub fn run(
    p: &Program,
    params: ArrayParams,
    resolve: &dyn Fn(Src) -> Option<i64>,
) -> Result<Run, SimError> {
    Machine::new(p, params)?.run(resolve)
}

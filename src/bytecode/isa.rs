use crate::model::Hw;
use crate::vocab::{Delivery, DeliveryView, Net, OutKind, Src, TargetLists, TargetSpan};

/// Format version of the text and binary forms.
pub const VERSION: u32 = 2;

/// "No access" in an address field.
pub const NONE: u32 = u32::MAX;

/// The mux passes the psum arriving from the PE below.
pub const FLAG_TAKE_IN: u8 = 1;
/// The adder's result is pushed into OUT_PSUM.
pub const FLAG_PUSH: u8 = 2;

/// One cycle of control of one PE (see `ir::Word` for the timing contract).
/// Address fields hold [`NONE`] when idle; `out` is relative to the PE's
/// `out_base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ctl {
    pub ifm: u32,
    pub fil: u32,
    pub psum_rd: u32,
    pub psum_wr: u32,
    pub out: u32,
    pub flags: u8,
}

impl Ctl {
    pub const IDLE: Ctl = Ctl {
        ifm: NONE,
        fil: NONE,
        psum_rd: NONE,
        psum_wr: NONE,
        out: NONE,
        flags: 0,
    };

    pub fn is_idle(&self) -> bool {
        *self == Ctl::IDLE
    }

    pub fn fields(&self) -> [u32; 5] {
        [self.ifm, self.fil, self.psum_rd, self.psum_wr, self.out]
    }

    pub fn with_fields(&self, f: [u32; 5]) -> Ctl {
        Ctl {
            ifm: f[0],
            fil: f[1],
            psum_rd: f[2],
            psum_wr: f[3],
            out: f[4],
            flags: self.flags,
        }
    }

    pub fn with_flags(mut self, flags: u8) -> Ctl {
        self.flags = flags;
        self
    }

    /// This step shifted by `k` iterations of `d` (present fields only).
    pub fn advanced(&self, d: &Delta, k: u32) -> Ctl {
        let mut f = self.fields();
        for (v, dv) in f.iter_mut().zip(d.0) {
            if *v != NONE {
                *v = (*v as i64 + dv as i64 * k as i64) as u32;
            }
        }
        self.with_fields(f)
    }
}

/// Per-iteration change of the address fields (ifm, fil, psum_rd, psum_wr, out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Delta(pub [i32; 5]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Insn {
    /// `cycles` cycles with no action.
    Idle { cycles: u32 },
    /// One cycle.
    Step(Ctl),
    /// Runs the next `len` instructions (which may hold nested repeats)
    /// `count` times; iteration k adds k·`delta` to every present address
    /// field of every step in them.
    Repeat { count: u32, len: u32, delta: Delta },
}

/// A run of preloaded scratchpad values: `src`, then `count - 1` more, each
/// `(dr, dc)` after the previous one and `gap` inserted zeros after it (a
/// run of inserted zeros has `count` zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InitRun {
    pub src: Src,
    pub count: u32,
    pub dr: i32,
    pub dc: i32,
    /// Inserted zeros after each element but the last (dilation).
    pub gap: u32,
    /// The whole run is laid down `reps` times, repetition k shifted by
    /// k·`(rep_dr, rep_dc)` (a 2-D block, such as a window of the input).
    pub reps: u32,
    pub rep_dr: i32,
    pub rep_dc: i32,
}

impl InitRun {
    /// A one-dimensional run (no repetition).
    pub fn line(src: Src, count: u32, dr: i32, dc: i32, gap: u32) -> InitRun {
        InitRun {
            src,
            count,
            dr,
            dc,
            gap,
            reps: 1,
            rep_dr: 0,
            rep_dc: 0,
        }
    }

    /// Scratchpad entries the run fills.
    pub fn len(&self) -> u64 {
        let one = if self.src.is_zero() {
            self.count as u64
        } else {
            self.count as u64 + (self.count as u64).saturating_sub(1) * self.gap as u64
        };
        one.saturating_mul(self.reps as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// One PE of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeEntry {
    /// Index into [`Program::codes`]; PEs with the same control share a code.
    pub code: u32,
    /// Added to every `out` field of the code.
    pub out_base: u32,
    /// Idle cycles before the code starts (row skews share one code).
    pub start: u32,
    pub ifmap_init: Vec<InitRun>,
    pub filter_init: Vec<InitRun>,
    pub psum_entries: u32,
    /// Scratchpad entries filled by deliveries (physical passes); 0 when
    /// the preloaded contents size them.
    pub ifmap_capacity: u32,
    pub filter_capacity: u32,
}

/// A compiled 2-D convolution on a logical PE set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub version: u32,
    pub rows: u32,
    pub cols: u32,
    /// Cycles of control (the longest PE program).
    pub length: u32,
    pub out_kind: OutKind,
    pub out_shape: Hw,
    pub pipeline_mul: u32,
    pub pipeline_add: u32,
    /// PE rows below row 0 whose psums go to the global buffer instead of
    /// up the column: the top rows of the PE sets stacked under another set
    /// on the array (whole-layer processing passes); empty otherwise.
    pub top_rows: Vec<u32>,
    pub codes: Vec<Vec<Insn>>,
    /// Row-major over the set.
    pub pes: Vec<PeEntry>,
    /// Scratchpad contents sent during the run (physical passes; empty when
    /// the scratchpads are preloaded), as runs.
    pub deliveries: Vec<DeliveryRun>,
}

/// A run of deliveries to the same PEs: delivery k (k < `count`) happens at
/// `cycle + k·cycle_step`, sends `src` advanced by k·`(dr, dc)` (inserted
/// zeros stay zeros) and writes target i at address
/// `(addr_i + k·addr_step) mod ring_i`, where `ring_i` is that PE's
/// scratchpad capacity (no wrap when it is 0). An input row streaming
/// through a ring scratchpad is one run per multicast group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryRun {
    pub cycle: u32,
    pub cycle_step: u32,
    pub count: u32,
    pub net: Net,
    pub local: bool,
    pub src: Src,
    pub dr: i32,
    pub dc: i32,
    pub targets: Vec<(u32, u32)>,
    pub addr_step: u32,
}

impl PeEntry {
    /// Ifmap-side scratchpad entries: the preloaded contents, or the
    /// capacity deliveries fill.
    pub fn ifmap_len(&self) -> u64 {
        let preloaded: u64 = self.ifmap_init.iter().map(InitRun::len).sum();
        preloaded.max(self.ifmap_capacity as u64)
    }
    pub fn filter_len(&self) -> u64 {
        let preloaded: u64 = self.filter_init.iter().map(InitRun::len).sum();
        preloaded.max(self.filter_capacity as u64)
    }
}

impl Program {
    /// Expands one code into its control steps, one per cycle.
    pub fn expand(code: &[Insn]) -> Vec<Ctl> {
        Program::expand_capped(code, usize::MAX).unwrap_or_default()
    }

    /// Expands one code, failing once it exceeds `cap` cycles, so that a
    /// corrupt program cannot make us allocate without bound.
    pub fn expand_capped(code: &[Insn], cap: usize) -> Result<Vec<Ctl>, String> {
        let mut out = Vec::new();
        expand_block(code, cap, &mut out)?;
        Ok(out)
    }

    /// The deliveries one by one, in cycle order; fails beyond `cap` of
    /// them (a corrupt program cannot make us allocate without bound).
    pub fn expand_deliveries(&self, cap: usize) -> Result<Deliveries, String> {
        let total: u64 = self.deliveries.iter().map(|r| r.count as u64).sum();
        if total > cap as u64 {
            return Err(format!("{total} deliveries, more than {cap}"));
        }
        let ring = |pe: u32, net: Net| {
            self.pes.get(pe as usize).map_or(0, |e| match net {
                Net::Ifmap => e.ifmap_capacity,
                Net::Filter => e.filter_capacity,
                Net::Psum => 0,
            })
        };
        let targets: u64 = self
            .deliveries
            .iter()
            .map(|r| r.count as u64 * r.targets.len() as u64)
            .sum();
        let mut out = Deliveries {
            list: Vec::with_capacity(total as usize),
            // Reserved up to 64 targets a delivery: a corrupt program's
            // longer lists grow the buffer as they come, not up front.
            targets: TargetLists::with_capacity(targets.min(cap as u64 * 64) as usize),
        };
        for r in &self.deliveries {
            for k in 0..r.count as u64 {
                let mut src = r.src;
                if !src.is_zero() {
                    src.r = (src.r as i64 + r.dr as i64 * k as i64) as u32;
                    src.c = (src.c as i64 + r.dc as i64 * k as i64) as u32;
                }
                let targets = out.targets.push(r.targets.iter().map(|&(pe, a)| {
                    let addr = a as u64 + k * r.addr_step as u64;
                    let m = ring(pe, r.net) as u64;
                    (pe, if m > 0 { addr % m } else { addr } as u32)
                }));
                out.list.push(Head {
                    cycle: (r.cycle as u64 + k * r.cycle_step as u64).min(u32::MAX as u64) as u32,
                    net: r.net,
                    local: r.local,
                    src,
                    targets,
                });
            }
        }
        out.list.sort_by_key(|d| d.cycle);
        Ok(out)
    }

    /// Per PE, whether the local psum network moves its psums up to the PE
    /// above (every row but row 0 and the `top_rows`, which write to the
    /// global buffer).
    pub fn forwards_up(&self) -> Vec<bool> {
        let cols = self.cols.max(1) as usize;
        (0..self.pes.len())
            .map(|i| i >= cols && !self.top_rows.contains(&((i / cols) as u32)))
            .collect()
    }
}

/// Expands init runs into the scratchpad contents they describe.
pub fn expand_init(runs: &[InitRun]) -> Vec<Src> {
    let mut out = Vec::new();
    for r in runs {
        for rep in 0..r.reps as i64 {
            if r.src.is_zero() {
                out.extend(std::iter::repeat_n(Src::ZERO, r.count as usize));
                continue;
            }
            for k in 0..r.count as i64 {
                if k > 0 {
                    out.extend(std::iter::repeat_n(Src::ZERO, r.gap as usize));
                }
                let mut s = r.src;
                s.r = (s.r as i64 + r.dr as i64 * k + r.rep_dr as i64 * rep) as u32;
                s.c = (s.c as i64 + r.dc as i64 * k + r.rep_dc as i64 * rep) as u32;
                out.push(s);
            }
        }
    }
    out
}

/// Expands a block of instructions (a code, or a repeat body, which may hold
/// nested repeats) onto `out`.
fn expand_block(code: &[Insn], cap: usize, out: &mut Vec<Ctl>) -> Result<(), String> {
    let too_long = || format!("code runs longer than {cap} cycles");
    let mut pc = 0usize;
    while pc < code.len() {
        match code[pc] {
            Insn::Idle { cycles } => {
                if out.len().saturating_add(cycles as usize) > cap {
                    return Err(too_long());
                }
                out.extend(std::iter::repeat_n(Ctl::IDLE, cycles as usize));
                pc += 1;
            }
            Insn::Step(c) => {
                if out.len() >= cap {
                    return Err(too_long());
                }
                out.push(c);
                pc += 1;
            }
            Insn::Repeat { count, len, delta } => {
                let end = pc
                    .saturating_add(1)
                    .saturating_add(len as usize)
                    .min(code.len());
                let mut body = Vec::new();
                expand_block(&code[pc + 1..end], cap, &mut body)?;
                if out
                    .len()
                    .saturating_add(body.len().saturating_mul(count as usize))
                    > cap
                {
                    return Err(too_long());
                }
                for k in 0..count {
                    out.extend(body.iter().map(|c| c.advanced(&delta, k)));
                }
                pc = end;
            }
        }
    }
    Ok(())
}

/// A program's deliveries expanded from their runs, in cycle order, their
/// targets in one buffer.
#[derive(Debug, Clone, Default)]
pub struct Deliveries {
    list: Vec<Head>,
    targets: TargetLists,
}

/// One expanded delivery.
#[derive(Debug, Clone, Copy)]
struct Head {
    cycle: u32,
    net: Net,
    local: bool,
    src: Src,
    targets: TargetSpan,
}

impl Deliveries {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The `k`-th delivery in cycle order.
    pub fn get(&self, k: usize) -> Option<DeliveryView<'_>> {
        self.list.get(k).map(|h| self.view(h))
    }

    /// The deliveries in cycle order.
    pub fn iter(&self) -> impl Iterator<Item = DeliveryView<'_>> + '_ {
        self.list.iter().map(|h| self.view(h))
    }

    /// The deliveries, each with its own target list.
    pub fn to_vec(&self) -> Vec<Delivery> {
        self.iter().map(DeliveryView::to_delivery).collect()
    }

    fn view(&self, h: &Head) -> DeliveryView<'_> {
        DeliveryView {
            cycle: h.cycle,
            net: h.net,
            local: h.local,
            src: h.src,
            targets: self.targets.get(h.targets),
        }
    }
}

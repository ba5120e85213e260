use crate::ir::{OutKind, Src};
use crate::model::Hw;

/// Format version of the text and binary forms.
pub const VERSION: u32 = 1;

/// "No access" in an address field.
pub const NONE: u32 = u32::MAX;

/// The mux passes the psum arriving from the PE below.
pub const FLAG_TAKE_IN: u8 = 1;
/// The adder's result is pushed into OUT_PSUM.
pub const FLAG_PUSH: u8 = 2;

/// One cycle of control of one PE (see `ir::Word` for the timing contract).
/// Address fields hold [`NONE`] when idle; `out` is relative to the PE's
/// `out_base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Runs the next `len` instructions (steps and idles only) `count` times;
    /// iteration k adds k·`delta` to every present address field.
    Repeat { count: u32, len: u32, delta: Delta },
}

/// A run of preloaded scratchpad values: `src`, then `count - 1` more, each
/// `(dr, dc)` after the previous one (inserted zeros stay zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InitRun {
    pub src: Src,
    pub count: u32,
    pub dr: i32,
    pub dc: i32,
}

/// One PE of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeEntry {
    /// Index into [`Program::codes`]; PEs with the same control share a code.
    pub code: u32,
    /// Added to every `out` field of the code.
    pub out_base: u32,
    pub ifmap_init: Vec<InitRun>,
    pub filter_init: Vec<InitRun>,
    pub psum_entries: u32,
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
    pub codes: Vec<Vec<Insn>>,
    /// Row-major over the set.
    pub pes: Vec<PeEntry>,
}

impl PeEntry {
    pub fn ifmap_len(&self) -> u64 {
        self.ifmap_init.iter().map(|r| r.count as u64).sum()
    }
    pub fn filter_len(&self) -> u64 {
        self.filter_init.iter().map(|r| r.count as u64).sum()
    }
}

impl Program {
    /// Expands one code into its control steps, one per cycle.
    pub fn expand(code: &[Insn]) -> Vec<Ctl> {
        let mut out = Vec::new();
        let mut pc = 0usize;
        while pc < code.len() {
            match code[pc] {
                Insn::Idle { cycles } => {
                    out.extend(std::iter::repeat_n(Ctl::IDLE, cycles as usize));
                    pc += 1;
                }
                Insn::Step(c) => {
                    out.push(c);
                    pc += 1;
                }
                Insn::Repeat { count, len, delta } => {
                    let body =
                        &code[(pc + 1).min(code.len())..(pc + 1 + len as usize).min(code.len())];
                    for k in 0..count {
                        for insn in body {
                            match *insn {
                                Insn::Idle { cycles } => {
                                    out.extend(std::iter::repeat_n(Ctl::IDLE, cycles as usize))
                                }
                                Insn::Step(c) => out.push(c.advanced(&delta, k)),
                                Insn::Repeat { .. } => {}
                            }
                        }
                    }
                    pc += 1 + len as usize;
                }
            }
        }
        out
    }

    /// Size of the program in the binary form, in bytes.
    pub fn encoded_len(&self) -> usize {
        super::encode(self).len()
    }
}

/// Expands init runs into the scratchpad contents they describe.
pub fn expand_init(runs: &[InitRun]) -> Vec<Src> {
    let mut out = Vec::new();
    for r in runs {
        let mut s = r.src;
        for _ in 0..r.count {
            out.push(s);
            if !s.is_zero() {
                s.r = (s.r as i64 + r.dr as i64) as u32;
                s.c = (s.c as i64 + r.dc as i64) as u32;
            }
        }
    }
    out
}

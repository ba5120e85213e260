//! Lowering: the dense per-PE schedule becomes signal bytecode. PEs with the
//! same control (up to their output base) share one compressed code.

use crate::ir::Slot;
use std::collections::BTreeMap;

use super::{Part, Pass, PassError, PassOptions};
use crate::bytecode::{
    compress, compress_deliveries, compress_init, verify_program, Ctl, Insn, PeEntry, Program,
    VerifyError, FLAG_PUSH, FLAG_TAKE_IN, NONE, VERSION,
};
use crate::diag::Diagnostic;
use crate::ir::{LogicalSet, Module, Net, Word};

pub struct Lower;

impl Pass for Lower {
    fn name(&self) -> &'static str {
        "lower"
    }
    fn description(&self) -> &'static str {
        "compress the per-PE schedule into signal bytecode with shared codes and affine loops"
    }
    fn needs(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Program]
    }
    fn files(&self) -> &'static [&'static str] {
        &["lower.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"turns each PE's dense control into bytecode; PEs whose control is the same up to their output base share one code."#
    }
    fn run(&self, m: &mut Module, _opts: &PassOptions) -> Result<(), PassError> {
        let set = super::needed(m.set.as_ref());
        // The checker bounds both depths (MAX_PIPELINE_STAGES), far below u32.
        let depth = |d: u64| u32::try_from(d).unwrap_or(u32::MAX);
        let program = lower(set, depth(m.arch.pipeline_mul), depth(m.arch.pipeline_add));
        // Queue occupancy does not depend on data, so a schedule that would
        // overflow a queue of this arch is refused here, before simulation.
        match verify_program(&program, m.arch.fifo_depth, m.arch.noc_ofmap) {
            Ok(()) => {}
            Err(VerifyError::Capacity(what)) => {
                return Err(PassError::refused(
                    Diagnostic::error(crate::diag::Code::QueueOverflow, format!("the schedule does not fit the queues of arch `{}`: {what}", m.arch.name))
                        .with_primary(m.layer.span, "this layer")
                        .with_declared(m.arch.span, "this arch")
                        .with_note(format!(
                            "PE queues hold `fifo.depth = {}` psums; each PE's output buffer holds the outputs it produces (at least {}) waiting for `noc.ofmap = {}` writes per cycle",
                            m.arch.fifo_depth,
                            crate::bytecode::array::OFMAP_BUFFER_DEPTH,
                            m.arch.noc_ofmap
                        ))
                        .with_help("raise `fifo.depth` or `noc.ofmap` in the arch, or (Grad-Flow) use a smaller `--gflow-group`"),
                ))
            }
            Err(VerifyError::Malformed(what)) => return Err(PassError::internal("lower", what)),
        }
        m.program = Some(program);
        Ok(())
    }
}

fn opt(v: Slot) -> u32 {
    v.get().unwrap_or(NONE)
}

fn ctl(w: &Word, out_base: u32) -> Ctl {
    Ctl {
        ifm: opt(w.ifm),
        fil: opt(w.fil),
        psum_rd: opt(w.psum_rd),
        psum_wr: opt(w.psum_wr),
        out: w.out.get().map_or(NONE, |o| o - out_base),
        flags: if w.take_in { FLAG_TAKE_IN } else { 0 } | if w.push { FLAG_PUSH } else { 0 },
    }
}

/// The codes of a program being lowered: PEs whose control is the same up
/// to their output base share one.
#[derive(Default)]
pub struct Codes {
    codes: Vec<Vec<Insn>>,
    // Ordered, not hashed: programs are long and differ early, so comparing
    // them is cheaper than hashing every word.
    index: BTreeMap<Vec<Ctl>, u32>,
}

/// Where one PE's dense control went: its code, the least output index it
/// writes (its code's outputs are relative to it) and its leading idle
/// cycles.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub code: u32,
    pub out_base: u32,
    pub start: u32,
}

impl Codes {
    /// The code of a PE's dense words, compressed the first time it is met.
    pub fn add(&mut self, words: &[Word]) -> Placed {
        let out_base = words.iter().filter_map(|w| w.out.get()).min().unwrap_or(0);
        // Leading idle cycles become the PE's start, so that rows that differ
        // only by their skew share a code; trailing idle cycles are implicit.
        let start = words.iter().take_while(|w| w.is_idle()).count();
        let end = words.len() - words.iter().rev().take_while(|w| w.is_idle()).count();
        let dense: Vec<Ctl> = words[start..end.max(start)]
            .iter()
            .map(|w| ctl(w, out_base))
            .collect();
        let next = self.codes.len() as u32;
        let codes = &mut self.codes;
        let code = *self.index.entry(dense).or_insert_with_key(|d| {
            codes.push(compress(d));
            next
        });
        Placed {
            code,
            out_base,
            start: start as u32,
        }
    }

    pub fn into_codes(self) -> Vec<Vec<Insn>> {
        self.codes
    }
}

/// Lowers a mapped set into a program.
pub fn lower(set: &LogicalSet, mul: u32, add: u32) -> Program {
    let mut codes = Codes::default();
    let mut pes = Vec::with_capacity(set.pes.len());
    for pe in &set.pes {
        let at = codes.add(&pe.words);
        pes.push(PeEntry {
            code: at.code,
            out_base: at.out_base,
            start: at.start,
            ifmap_init: compress_init(&pe.ifmap_init),
            filter_init: compress_init(&pe.filter_init),
            psum_entries: pe.psum_entries,
            ifmap_capacity: pe.ifmap_capacity,
            filter_capacity: pe.filter_capacity,
        });
    }
    let codes = codes.into_codes();
    Program {
        version: VERSION,
        rows: set.rows,
        cols: set.cols,
        length: set.length() as u32,
        out_kind: set.out_kind,
        out_shape: set.out_shape,
        pipeline_mul: mul,
        pipeline_add: add,
        top_rows: set.top_rows.clone(),
        codes,
        pes,
        deliveries: compress_deliveries(
            &set.deliveries.iter().map(|d| d.view()).collect::<Vec<_>>(),
            |pe, net| {
                set.pes.get(pe as usize).map_or(0, |p| match net {
                    Net::Ifmap => p.ifmap_capacity,
                    Net::Filter => p.filter_capacity,
                    Net::Psum => 0,
                })
            },
        ),
    }
}

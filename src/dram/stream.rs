//! `cnnc dram TRACE`: a trace analysed as it is read, in DRAMPower v4.1's
//! way, so any trace length runs in bounded memory and gives v4.1's window
//! and counts.
//!
//! DRAMPower v4.1 (TraceParser::parseFile, CommandAnalysis::getCommands)
//! reads the trace in windows of 1 000 000 lines; each window gets the
//! auto-precharges of its RDA/WRA, is sorted by cycle (PRE first within a
//! cycle) and evaluated in order. Every NOP or END line adds the cycles up to
//! it to the current background state without closing that state
//! (handleNopEnd). After the last line, if the last window is not empty, v4.1
//! appends one more NOP at the last command's cycle + timeToCompletion - 1
//! (so a trace ending with `t,NOP` gets its tail counted twice; a trace whose
//! line count is a multiple of the window gets no closing NOP at all).
//!
//! Traces in DRAMPower 5's long form (`cycle,CMD,rank,bankgroup,bank,row,
//! column`) end at their END_OF_SIMULATION line, or where the last command
//! completes; their commands are counted in the same windows.

use std::io::BufRead;

use super::command::{Command, CommandKind};
use super::counters::{Counters, Counting};
use super::error::{DramError, TraceFault};
use super::limits::{MAX_LINE, WINDOW};
use super::memspec::MemSpec;
use super::trace::{auto_precharge, parse_line, Line};

#[derive(Clone, Copy)]
enum Item {
    Cmd(Command),
    End(u64),
}

impl Item {
    fn cycle(&self) -> u64 {
        match self {
            Item::Cmd(c) => c.cycle,
            Item::End(t) => *t,
        }
    }

    fn is_pre(&self) -> bool {
        matches!(self, Item::Cmd(c) if c.kind == CommandKind::Pre)
    }
}

/// The counts of a whole trace.
pub fn analyse(spec: &MemSpec, mut input: impl BufRead) -> Result<Counters, DramError> {
    let mut counting = Counting::new(spec);
    let mut window: Vec<Item> = Vec::new();
    let mut lines_in_window = 0usize;
    let mut act_at = vec![0u64; spec.banks.max(1) as usize];
    let mut v5 = false;
    let mut v5_end: Option<u64> = None;
    let mut buf = Vec::new();
    let mut number = 0usize;
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut input, MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| DramError::TraceUnreadable(e.to_string()))?;
        if n == 0 {
            break;
        }
        number += 1;
        if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
            return Err(DramError::Trace {
                line: number,
                fault: TraceFault::TooLong,
            });
        }
        let text = std::str::from_utf8(&buf).map_err(|_| DramError::Trace {
            line: number,
            fault: TraceFault::NotUtf8,
        })?;
        let Some((line, long)) = parse_line(spec, text, number)? else {
            continue;
        };
        v5 |= long;
        match line {
            Line::Cmd(c) => {
                if c.kind == CommandKind::Act {
                    act_at[c.bank as usize] = c.cycle;
                }
                window.push(Item::Cmd(c));
            }
            Line::Auto(c) => {
                window.push(Item::Cmd(c));
                let pre = auto_precharge(spec, c.kind, c.cycle, act_at[c.bank as usize]);
                window.push(Item::Cmd(Command::new(pre, CommandKind::Pre, c.bank)));
            }
            Line::End(t) if long => v5_end = Some(t),
            Line::End(t) => window.push(Item::End(t)),
        }
        lines_in_window += 1;
        if lines_in_window == WINDOW {
            evaluate(&mut counting, &mut window);
            lines_in_window = 0;
        }
    }
    sort(&mut window);
    if v5 {
        // DRAMPower 5: the simulation ends at END_OF_SIMULATION, or when
        // the last command has completed.
        let last = window.last().copied();
        evaluate(&mut counting, &mut window);
        let end = v5_end.or_else(|| last.map(|l| closing_cycle(spec, &l)));
        if let Some(t) = end {
            counting.nop_end(t);
        }
    } else {
        // v4.1 appends its closing NOP after sorting: it is evaluated last
        // even when its cycle is earlier (a final REF completes at once).
        let last = window.last().copied();
        evaluate(&mut counting, &mut window);
        if let Some(last) = last {
            counting.nop_end(closing_cycle(spec, &last));
        }
    }
    Ok(counting.counters())
}

/// v4.1's closing NOP: the last command's cycle + timeToCompletion - 1.
fn closing_cycle(spec: &MemSpec, last: &Item) -> u64 {
    let t = &spec.timing;
    let done = match last {
        Item::End(_) => 0,
        Item::Cmd(c) => match c.kind {
            CommandKind::Rd => t.rl + t.dqsck + 1 + spec.burst_cycles(),
            CommandKind::Wr => t.wl + spec.burst_cycles() + t.wr,
            CommandKind::Act => t.rcd,
            CommandKind::Pre | CommandKind::PreA => t.rp,
            CommandKind::Ref => 0,
        },
    };
    // v4.1 computes in int64: a NOP at cycle 0 closes at -1, which counts
    // as no cycles (zero_guard); saturating at 0 gives the same.
    (last.cycle() + done).saturating_sub(1)
}

fn sort(window: &mut [Item]) {
    window.sort_by_key(|i| (i.cycle(), !i.is_pre()));
}

fn evaluate(counting: &mut Counting, window: &mut Vec<Item>) {
    sort(window);
    for item in window.iter() {
        match item {
            Item::Cmd(c) => counting.apply(c),
            Item::End(t) => counting.nop_end(*t),
        }
    }
    window.clear();
}

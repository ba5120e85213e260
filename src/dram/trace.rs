//! Command traces in DRAMPower's text forms.
//!
//! * v4.1 (`drampower -c FILE`, TraceParser.cc): `cycle,CMD,bank`, one
//!   command per line, CMD one of ACT RD WR PRE PREA REF RDA WRA END NOP.
//! * v5 and later (`cli`, run.cpp): `cycle,CMD,rank,bankgroup,bank,row,
//!   column[,data]`, with REFA for refresh and END_OF_SIMULATION or END
//!   closing the trace.
//!
//! Both are read; v4.1's is written, since that is the version the
//! original simulator ran and the one the cross-check builds.

use std::io::{self, Write};

use super::command::{Command, CommandKind};
use super::error::{DramError, TraceFault};
use super::limits::MAX_TRACE_CYCLE;
use super::memspec::MemSpec;

/// A parsed trace: the commands, and the end the trace itself asks for
/// (an END / NOP line), if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    pub commands: Vec<Command>,
    pub end: Option<u64>,
}

/// Writes `commands` as `cycle,CMD,bank` lines (DRAMPower v4.1 form).
pub fn write_trace(commands: &[Command], out: &mut impl Write) -> io::Result<()> {
    for c in commands {
        writeln!(out, "{},{},{}", c.cycle, c.kind.name(), c.bank)?;
    }
    Ok(())
}

enum Parsed {
    Cmd(CommandKind),
    /// RD/WR with auto-precharge: becomes RD/WR plus a PRE.
    Auto(CommandKind),
    End,
}

fn kind(name: &str) -> Option<Parsed> {
    Some(match name {
        "ACT" => Parsed::Cmd(CommandKind::Act),
        "PRE" => Parsed::Cmd(CommandKind::Pre),
        "PREA" => Parsed::Cmd(CommandKind::PreA),
        "RD" => Parsed::Cmd(CommandKind::Rd),
        "WR" => Parsed::Cmd(CommandKind::Wr),
        "REF" | "REFA" => Parsed::Cmd(CommandKind::Ref),
        "RDA" => Parsed::Auto(CommandKind::Rd),
        "WRA" => Parsed::Auto(CommandKind::Wr),
        "END" | "END_OF_SIMULATION" | "NOP" => Parsed::End,
        _ => return None,
    })
}

fn int(field: &str, what: &'static str) -> Result<u64, TraceFault> {
    field.parse::<u64>().map_err(|_| TraceFault::NotInteger {
        what,
        field: field.to_string(),
    })
}

/// One command line of a trace.
pub(super) enum Line {
    Cmd(Command),
    /// RD/WR with auto-precharge, on `bank`.
    Auto(Command),
    /// END / NOP / END_OF_SIMULATION at this cycle.
    End(u64),
}

/// Parses one line (`line` is its number, for messages); `None` for blank
/// lines and `#` comments. The bool says the line is in v5's long form.
pub(super) fn parse_line(
    spec: &MemSpec,
    raw: &str,
    line: usize,
) -> Result<Option<(Line, bool)>, DramError> {
    fields(spec, raw).map_err(|fault| DramError::Trace { line, fault })
}

fn fields(spec: &MemSpec, raw: &str) -> Result<Option<(Line, bool)>, TraceFault> {
    let s = raw.trim();
    if s.is_empty() || s.starts_with('#') {
        return Ok(None);
    }
    let f: Vec<&str> = s.splitn(9, ',').map(str::trim).collect();
    if f.len() < 2 {
        return Err(TraceFault::TooFewFields(clip(s)));
    }
    let cycle = int(f[0], "cycle")?;
    if cycle >= MAX_TRACE_CYCLE {
        return Err(TraceFault::BeyondEnd(cycle));
    }
    let parsed = kind(f[1]).ok_or_else(|| TraceFault::UnsupportedCommand(clip(f[1])))?;
    if let Parsed::End = parsed {
        return Ok(Some((Line::End(cycle), f.len() >= 7)));
    }
    let bank = match f.len() {
        3 => int(f[2], "bank")?,
        n if n >= 7 => {
            let rank = int(f[2], "rank")?;
            if rank != 0 {
                return Err(TraceFault::MultiRank(rank));
            }
            int(f[4], "bank")?
        }
        n => return Err(TraceFault::FieldCount(n)),
    };
    let all_bank = matches!(parsed, Parsed::Cmd(CommandKind::PreA | CommandKind::Ref));
    let bank = match u32::try_from(bank) {
        Ok(b) if b < spec.banks => b,
        _ if all_bank => 0,
        _ => {
            return Err(TraceFault::BankOutOfRange {
                bank,
                banks: spec.banks,
            })
        }
    };
    let v5 = f.len() >= 7;
    Ok(Some(match parsed {
        Parsed::Cmd(k) => (Line::Cmd(Command::new(cycle, k, bank)), v5),
        Parsed::Auto(k) => (Line::Auto(Command::new(cycle, k, bank)), v5),
        Parsed::End => (Line::End(cycle), v5),
    }))
}

/// A field quoted in a message, at most 40 characters of it.
fn clip(s: &str) -> String {
    let c: String = s.chars().take(40).collect();
    if c.len() < s.len() {
        c + "..."
    } else {
        c
    }
}

/// Parses a trace in either form (they may not be mixed within a line, but
/// the form is decided per line). Blank lines and `#` comments are skipped.
pub fn parse_trace(spec: &MemSpec, text: &str) -> Result<Trace, DramError> {
    let mut trace = Trace::default();
    // Activation time of each bank, for placing auto-precharges.
    let mut act_at = vec![0u64; spec.banks as usize];
    for (idx, raw) in text.lines().enumerate() {
        match parse_line(spec, raw, idx + 1)? {
            None => {}
            Some((Line::End(c), _)) => trace.end = Some(c),
            Some((Line::Cmd(c), _)) => {
                if c.kind == CommandKind::Act {
                    act_at[c.bank as usize] = c.cycle;
                }
                trace.commands.push(c);
            }
            Some((Line::Auto(c), _)) => {
                trace.commands.push(c);
                let pre = auto_precharge(spec, c.kind, c.cycle, act_at[c.bank as usize]);
                trace
                    .commands
                    .push(Command::new(pre, CommandKind::Pre, c.bank));
            }
        }
    }
    Ok(trace)
}

/// When the implicit PRE of an RDA/WRA happens (DRAMPower v4.1
/// MemCommand::getPrechargeOffset for DDR4; never before tRAS from ACT).
pub(super) fn auto_precharge(spec: &MemSpec, k: CommandKind, cycle: u64, act: u64) -> u64 {
    let t = &spec.timing;
    let offset = match k {
        CommandKind::Rd => t.rtp,
        _ => spec.burst_cycles() + t.wl + t.wr,
    };
    cycle.saturating_add(offset).max(act.saturating_add(t.ras))
}

/// The end DRAMPower v4.1 gives a trace without an END line: the last
/// command's time plus the time it takes to complete, minus one
/// (CommandAnalysis::getCommands and timeToCompletion).
pub fn trace_end_cycle(spec: &MemSpec, commands: &[Command]) -> u64 {
    let t = &spec.timing;
    let Some(last_cycle) = commands.iter().map(|c| c.cycle).max() else {
        return 0;
    };
    // Of the commands at the last cycle, DRAMPower sorts PRE first; take
    // the latest-completing one so the choice does not depend on order.
    commands
        .iter()
        .filter(|c| c.cycle == last_cycle)
        .map(|c| {
            let done = match c.kind {
                CommandKind::Rd => t.rl + t.dqsck + 1 + spec.burst_cycles(),
                CommandKind::Wr => t.wl + spec.burst_cycles() + t.wr,
                CommandKind::Act => t.rcd,
                CommandKind::Pre | CommandKind::PreA => t.rp,
                CommandKind::Ref => 0,
            };
            last_cycle.saturating_add(done).saturating_sub(1)
        })
        .max()
        .unwrap_or(last_cycle)
}

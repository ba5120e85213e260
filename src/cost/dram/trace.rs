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

fn int(field: &str, what: &str, line: usize) -> Result<u64, String> {
    field
        .parse::<u64>()
        .map_err(|_| format!("line {line}: {what} `{field}` is not a non-negative integer"))
}

/// Parses a trace in either form (they may not be mixed within a line, but
/// the form is decided per line). Blank lines and `#` comments are skipped.
pub fn parse_trace(spec: &MemSpec, text: &str) -> Result<Trace, String> {
    let mut trace = Trace::default();
    // Activation time of each bank, for placing auto-precharges.
    let mut act_at = vec![0u64; spec.banks as usize];
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = s.split(',').map(str::trim).collect();
        if f.len() < 2 {
            return Err(format!("line {line}: expected `cycle,CMD,bank`, got `{s}`"));
        }
        let cycle = int(f[0], "cycle", line)?;
        let parsed =
            kind(f[1]).ok_or_else(|| format!("line {line}: unsupported command `{}`", f[1]))?;
        if let Parsed::End = parsed {
            trace.end = Some(cycle);
            continue;
        }
        let bank = match f.len() {
            3 => int(f[2], "bank", line)?,
            n if n >= 7 => {
                let rank = int(f[2], "rank", line)?;
                if rank != 0 {
                    return Err(format!(
                        "line {line}: rank {rank}: only single-rank traces are modelled"
                    ));
                }
                int(f[4], "bank", line)?
            }
            _ => {
                return Err(format!(
                    "line {line}: expected 3 fields (cycle,CMD,bank) or at least 7 \
                     (cycle,CMD,rank,bankgroup,bank,row,column), got {}",
                    f.len()
                ))
            }
        };
        let all_bank = matches!(parsed, Parsed::Cmd(CommandKind::PreA | CommandKind::Ref));
        let bank = match u32::try_from(bank) {
            Ok(b) if b < spec.banks => b,
            _ if all_bank => 0,
            _ => {
                return Err(format!(
                    "line {line}: bank {bank} out of range (the memspec has {} banks)",
                    spec.banks
                ))
            }
        };
        match parsed {
            Parsed::Cmd(k) => {
                if k == CommandKind::Act {
                    act_at[bank as usize] = cycle;
                }
                trace.commands.push(Command::new(cycle, k, bank));
            }
            Parsed::Auto(k) => {
                trace.commands.push(Command::new(cycle, k, bank));
                let pre = auto_precharge(spec, k, cycle, act_at[bank as usize]);
                trace
                    .commands
                    .push(Command::new(pre, CommandKind::Pre, bank));
            }
            Parsed::End => {}
        }
    }
    Ok(trace)
}

/// When the implicit PRE of an RDA/WRA happens (DRAMPower v4.1
/// MemCommand::getPrechargeOffset for DDR4; never before tRAS from ACT).
fn auto_precharge(spec: &MemSpec, k: CommandKind, cycle: u64, act: u64) -> u64 {
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

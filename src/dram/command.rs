//! DRAM commands as DRAMPower sees them: a clock cycle, a kind and a bank.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CommandKind {
    Act,
    Pre,
    /// Precharge all banks (the bank field is ignored).
    PreA,
    Rd,
    Wr,
    /// All-bank refresh (DRAMPower v4 `REF`, v5 `REFA`).
    Ref,
}

impl CommandKind {
    /// The name DRAMPower v4.1 reads and writes.
    pub fn name(self) -> &'static str {
        match self {
            CommandKind::Act => "ACT",
            CommandKind::Pre => "PRE",
            CommandKind::PreA => "PREA",
            CommandKind::Rd => "RD",
            CommandKind::Wr => "WR",
            CommandKind::Ref => "REF",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Command {
    /// Issue time in memory-clock cycles.
    pub cycle: u64,
    pub kind: CommandKind,
    /// Bank within the rank, 0-based.
    pub bank: u32,
}

impl Command {
    pub fn new(cycle: u64, kind: CommandKind, bank: u32) -> Command {
        Command { cycle, kind, bank }
    }
}

//! The DRAM stage's own errors: [`DramError`] says why a memspec, a trace
//! or a command stream was refused, with the data its message needs. Its
//! `Display` is the sentence the user sees; the caller at the stage's edge
//! picks the diagnostic code (`cnnc dram`: E0924 for a memspec, E0923 for a
//! trace; the layer model: E0304 for the arch's DRAM model, E0303 for a
//! stream too large).

use std::fmt;

use super::limits::{
    MAX_COMMANDS, MAX_CYCLES, MAX_ELECTRICAL, MAX_LINE, MAX_TIMING_CYCLES, MAX_TRACE_CYCLE,
};
use crate::model::memspec_names::BUILTIN_MEMSPECS as BUILTIN_NAMES;

/// Why the DRAM stage refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DramError {
    /// A memspec name that is neither built in nor a path to a `.json` file.
    #[error(
        "unknown memspec `{name}` (built-in: {}; or give a path to a .json file)",
        BUILTIN_NAMES.join(", ")
    )]
    UnknownMemspec { name: String },
    /// The memspec file cannot be read.
    #[error("cannot read memspec {path}: {why}")]
    MemspecUnreadable { path: String, why: String },
    /// The memspec file is larger than `cap` bytes.
    #[error("memspec {path} is more than {cap} bytes")]
    MemspecTooLarge { path: String, cap: u64 },
    /// The memspec text is not a memspec cnnc can use.
    #[error("{origin}{fault}")]
    Memspec {
        origin: MemspecOrigin,
        fault: MemspecFault,
    },
    /// `MemSpec::with_rank_width` asked for a rank the device width does
    /// not divide.
    #[error("rank width {bits} bits is not a positive multiple of the device width {width}")]
    RankWidth { bits: u32, width: u32 },
    /// Reading the trace failed (an I/O error, as text).
    #[error("cannot read the trace: {0}")]
    TraceUnreadable(String),
    /// Line `line` of a trace cannot be read.
    #[error("line {line}: {fault}")]
    Trace { line: usize, fault: TraceFault },
    /// The generator was asked to cover more cycles than it supports.
    #[error("duration of {cycles} cycles is beyond the {MAX_CYCLES} the generator supports")]
    DurationTooLong { cycles: u64 },
    /// The command stream would exceed the generator's command limit.
    #[error(
        "DRAM traffic of {bursts} bursts over {cycles} cycles needs more than {MAX_COMMANDS} commands"
    )]
    TooManyCommands { bursts: u64, cycles: u64 },
}

/// Where a memspec's text came from, as its message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemspecOrigin {
    /// Text given to `parse_memspec`: no prefix.
    Text,
    /// A built-in memspec (lower-case name).
    Builtin(String),
    /// A memspec file (the path as given).
    File(String),
}

impl fmt::Display for MemspecOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemspecOrigin::Text => Ok(()),
            MemspecOrigin::Builtin(name) => write!(f, "built-in memspec {name}: "),
            MemspecOrigin::File(path) => write!(f, "{path}: "),
        }
    }
}

/// What is wrong in a memspec's text (names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemspecFault {
    #[error("not UTF-8")]
    NotUtf8,
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("missing object `{0}`")]
    MissingObject(String),
    #[error("missing string `{0}`")]
    MissingString(String),
    #[error("missing `{0}`")]
    Missing(String),
    #[error("`{0}` must be a non-negative integer")]
    NotInteger(String),
    #[error("missing timing `{0}`")]
    MissingTiming(String),
    #[error("timing `{key}` must be an integer of 0 to {MAX_TIMING_CYCLES} cycles, not {value}")]
    BadTiming { key: String, value: String },
    #[error("`{key}` must be a number from 0 to {MAX_ELECTRICAL}, not {value}")]
    BadNumber { key: String, value: String },
    #[error("`tCK` must be a positive number")]
    TckNotPositive,
    #[error("`tCK` must be from 1 ps to 1 ms")]
    TckRange,
    #[error("memoryType `{0}` is not supported (DDR3, DDR4, DDR5, LPDDR4, LPDDR5)")]
    UnsupportedType(String),
    #[error("`{0}` must be positive")]
    NotPositive(&'static str),
    #[error("`{key}` must be at most {max}, not {value}")]
    AboveMax {
        key: &'static str,
        max: u32,
        value: u32,
    },
    #[error("nbrOfColumns must be at least burstLength")]
    ColumnsBelowBurst,
    #[error("burstLength must be a multiple of dataRate")]
    BurstNotMultiple,
    #[error("RAS must be positive")]
    RasZero,
    #[error("implausible number of banks or bank groups")]
    Banks,
    #[error("bankwisespec.factRho must be within 0..1")]
    Rho,
}

/// What is wrong in one line of a trace (fields quoted clipped to 40
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceFault {
    #[error("longer than {MAX_LINE} bytes")]
    TooLong,
    #[error("not UTF-8")]
    NotUtf8,
    #[error("expected `cycle,CMD,bank`, got `{0}`")]
    TooFewFields(String),
    #[error("{what} `{field}` is not a non-negative integer")]
    NotInteger { what: &'static str, field: String },
    #[error("cycle {0} is not below {MAX_TRACE_CYCLE} (2^53), the end a trace may reach")]
    BeyondEnd(u64),
    #[error("unsupported command `{0}`")]
    UnsupportedCommand(String),
    #[error("rank {0}: only single-rank traces are modelled")]
    MultiRank(u64),
    #[error(
        "expected 3 fields (cycle,CMD,bank) or at least 7 (cycle,CMD,rank,bankgroup,bank,row,column), got {0}"
    )]
    FieldCount(usize),
    #[error("bank {bank} out of range (the memspec has {banks} banks)")]
    BankOutOfRange { bank: u64, banks: u32 },
}

impl MemspecFault {
    /// The fault in text given directly to `parse_memspec`.
    pub(super) fn in_text(self) -> DramError {
        DramError::Memspec {
            origin: MemspecOrigin::Text,
            fault: self,
        }
    }
}

impl DramError {
    /// A memspec error re-attributed to where its text came from.
    pub(super) fn with_origin(self, origin: MemspecOrigin) -> DramError {
        match self {
            DramError::Memspec { fault, .. } => DramError::Memspec { origin, fault },
            other => other,
        }
    }
}

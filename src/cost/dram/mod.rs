//! DRAM power model: DRAMPower's equations in Rust (see docs/energy.md,
//! "DRAM energy").
//!
//! * [`memspec`]: DRAMPower JSON memspecs, three built in.
//! * [`generate`] / [`generate_for`]: transfers -> command stream.
//! * [`region_commands`]: traffic over address regions (a layer's) ->
//!   transfers, sampled when long -> command stream.
//! * [`TimedDram`]: transfers at the times a layer's timeline issues them
//!   -> one command stream, powered down between them -> energy.
//! * [`energy`]: command stream -> energy breakdown (pJ).
//! * [`write_trace`] / [`parse_trace`]: DRAMPower's trace text forms.
//! * [`run_cli`]: `cnnc dram TRACE`.
//! * [`DramError`]: why a memspec, trace or stream is refused; the callers
//!   (`run_cli` here, the layer model's `CostError`) pick its code.

mod address_map;
mod command;
mod counters;
mod error;
mod generate;
mod memspec;
mod power;
mod region_traffic;
mod report;
mod scheduler;
mod stream;
mod timed;
mod trace;

use std::path::PathBuf;

use crate::diag::{Code, Diagnostic};
use crate::options::Format;

pub use command::{Command, CommandKind};
pub use counters::{count, Counters};
pub use error::{DramError, MemspecFault, MemspecOrigin, TraceFault};
pub use generate::{generate, generate_for, GenOptions, Generated, Pacing, Transfer, TransferKind};
pub use memspec::{
    builtin_memspecs, is_memspec_name, memspec, parse_memspec, MemSpec, Timing, VoltageDomain,
    MAX_MEMSPEC_BYTES, MAX_TIMING_CYCLES,
};
pub use power::{energy, energy_from_counters, DramEnergy};
pub use region_traffic::{
    pj_per_byte, region_commands, RegionTraffic, MAX_EXACT_BURSTS, MAX_TRANSFERS,
};
pub use report::format_energy;
pub use stream::{analyse, MAX_LINE, WINDOW};
pub use timed::TimedDram;
pub use trace::{parse_trace, trace_end_cycle, write_trace, Trace, MAX_TRACE_CYCLE};

/// Arguments of `cnnc dram TRACE [--memspec NAME] [--format json]`.
#[derive(Debug, Clone)]
pub struct DramArgs {
    pub trace: PathBuf,
    pub memspec: String,
    pub format: Format,
}

/// Runs `cnnc dram`: reads a trace line by line (any length, in bounded
/// memory) and prints its energy per device and per rank.
pub fn run_cli(args: &DramArgs) -> Result<String, Diagnostic> {
    let spec = memspec(&args.memspec).map_err(|e| {
        Diagnostic::error(Code::BadMemspec, format!("memspec: {e}")).with_help(format!(
            "name a built-in memspec ({}) or a DRAMPower JSON memspec file",
            builtin_memspecs().join(", ")
        ))
    })?;
    let name = args.trace.display().to_string();
    let file = crate::io::input::open_regular(&args.trace).map_err(|e| {
        let why = match e {
            crate::io::ReadError::Unreadable(w) => w,
            crate::io::ReadError::TooLarge { .. } => "too large".into(),
        };
        Diagnostic::error(
            Code::CannotRead,
            format!("cannot read trace `{name}`: {why}"),
        )
        .with_help("give the path of a regular trace file")
    })?;
    let mut input = std::io::BufReader::new(file);
    let c = analyse(&spec, &mut input).map_err(|e| {
        Diagnostic::error(Code::BadTrace, format!("trace `{name}`: {e}")).with_help(
            "each line is `cycle,CMD,bank` (DRAMPower v4.1) or \
             `cycle,CMD,rank,bankgroup,bank,row,column` (DRAMPower 5)",
        )
    })?;
    let e = energy_from_counters(&spec, &c);
    if !e.total.is_finite() || !e.duration_ns.is_finite() {
        return Err(Diagnostic::error(
            Code::NotFinite,
            format!("the energy of trace `{name}` is not a finite number"),
        )
        .with_help("check the memspec's currents, voltages and tCK"));
    }
    Ok(match args.format {
        Format::Text => report::text(&spec, &e),
        Format::Json => report::json(&e),
        Format::Csv => {
            return Err(Diagnostic::error(
                crate::diag::Code::ConflictingOptions,
                "`cnnc dram` prints text or json; csv is for simulation results",
            )
            .with_help("use `--format text` or `--format json`"))
        }
    })
}

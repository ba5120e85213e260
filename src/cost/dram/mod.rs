//! DRAM power model: DRAMPower's equations in Rust (see docs/energy.md,
//! "DRAM energy").
//!
//! * [`memspec`]: DRAMPower JSON memspecs, three built in.
//! * [`generate`] / [`generate_for`]: traffic -> command stream.
//! * [`energy`]: command stream -> energy breakdown (pJ).
//! * [`write_trace`] / [`parse_trace`]: DRAMPower's trace text forms.
//! * [`run_cli`]: `cnnc dram TRACE`.

mod command;
mod counters;
mod generate;
mod mapping;
mod memspec;
mod power;
mod report;
mod scheduler;
mod trace;

use std::path::PathBuf;

use crate::options::Format;

pub use command::{Command, CommandKind};
pub use counters::{count, Counters};
pub use generate::{generate, generate_for, GenOptions, Generated, Pacing, Request, RequestKind};
pub use memspec::{builtin_memspecs, memspec, parse_memspec, MemSpec, Timing, VoltageDomain};
pub use power::{energy, energy_from_counters, DramEnergy};
pub use report::format_energy;
pub use trace::{parse_trace, trace_end_cycle, write_trace, Trace};

/// Arguments of `cnnc dram TRACE [--memspec NAME] [--format json]`.
#[derive(Debug, Clone)]
pub struct DramArgs {
    pub trace: PathBuf,
    pub memspec: String,
    pub format: Format,
}

/// Runs `cnnc dram`: reads a trace and prints its energy breakdown.
/// Returns the text for stdout, or an error message (exit status 1).
pub fn run_cli(args: &DramArgs) -> Result<String, String> {
    let spec = memspec(&args.memspec)?;
    let text = std::fs::read_to_string(&args.trace)
        .map_err(|e| format!("cannot read trace {}: {e}", args.trace.display()))?;
    let trace = parse_trace(&spec, &text).map_err(|e| format!("{}: {e}", args.trace.display()))?;
    // Without an END line, end the trace where DRAMPower v4.1 would.
    let end = trace
        .end
        .unwrap_or_else(|| trace_end_cycle(&spec, &trace.commands));
    let e = energy(&spec, &trace.commands, end);
    Ok(match args.format {
        Format::Text => report::text(&spec, &e),
        Format::Json => report::json(&e),
        Format::Csv => {
            return Err(
                "`cnnc dram` prints text or json; csv is for simulation results".to_string(),
            )
        }
    })
}

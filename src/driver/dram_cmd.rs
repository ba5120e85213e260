//! `cnnc dram TRACE [--memspec NAME] [--format json]`: the DRAM power
//! model (`crate::dram`) on a trace file, as DRAMPower's command line does.

use std::path::PathBuf;

use crate::diag::{Code, Diagnostic};
use crate::dram::{
    analyse, builtin_memspecs, energy_from_counters, energy_json, energy_text, memspec,
};
use crate::options::Format;

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
        Format::Text => energy_text(&spec, &e),
        Format::Json => energy_json(&e),
        Format::Csv => {
            return Err(Diagnostic::error(
                crate::diag::Code::ConflictingOptions,
                "`cnnc dram` prints text or json; csv is for simulation results",
            )
            .with_help("use `--format text` or `--format json`"))
        }
    })
}

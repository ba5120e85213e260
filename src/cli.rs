//! The command line (clap), exactly as docs/language.md section "Command
//! line" describes it. Parsing only; `driver` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diag::render::Style;
use crate::options::{Dataflow, Emit, Format, PassKind};

#[derive(Debug, Parser)]
#[command(
    name = "cnnc",
    version,
    about = "Compiler and cycle-accurate simulator for Eyeriss-style CNN accelerators",
    // `cnnc FILE ...` and `cnnc check FILE` / `cnnc dram TRACE` share the
    // first position: a subcommand name wins, anything else is FILE.
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a .cnn file; print only diagnostics.
    Check {
        #[arg(value_name = "FILE.cnn")]
        file: PathBuf,
        /// How diagnostics are printed.
        #[arg(long, value_enum, default_value_t = DiagnosticsStyle::Rich)]
        diagnostics: DiagnosticsStyle,
    },
    /// Energy breakdown of a DRAM command trace.
    Dram {
        #[arg(value_name = "TRACE")]
        trace: PathBuf,
        /// DRAM device model (a memspec shipped with cnnc).
        #[arg(long, default_value = "ddr4-1866")]
        memspec: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Turn an ONNX model or a SCALE-Sim topology (.csv) into a .cnn network.
    Import(crate::import::cli::ImportArgs),
    /// Cost a layer or network over the cross product of arch values.
    Sweep(crate::sweep::cli::SweepArgs),
    /// Join the outputs of `cnnc sweep --shard K/N` and mark the Pareto front.
    SweepMerge(crate::sweep::cli::MergeArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The .cnn file to compile and simulate.
    #[arg(value_name = "FILE.cnn", required_unless_present = "list_passes")]
    pub file: Option<PathBuf>,
    /// Layer to simulate: `conv4`, `alexnet.conv1`, or a network name.
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
    /// Accelerator description to use.
    #[arg(long, value_name = "NAME", default_value = "eyeriss")]
    pub arch: String,
    #[arg(long, value_enum, default_value_t = PassKind::Forward)]
    pub pass: PassKind,
    #[arg(long, value_enum, default_value_t = Dataflow::Rs)]
    pub dataflow: Dataflow,
    /// Grad-Flow grouping (a non-zero integer).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = non_zero, allow_negative_numbers = true)]
    pub gflow_group: i64,
    #[arg(long, value_enum, default_value_t = Emit::Stats)]
    pub emit: Emit,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to PATH instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = DiagnosticsStyle::Rich)]
    pub diagnostics: DiagnosticsStyle,
    /// Seed of the pseudo-random input data.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// With `--emit ir`: print the IR after this pass.
    #[arg(long, value_name = "PASS")]
    pub after: Option<String>,
    /// Run both dataflows and print them side by side.
    #[arg(long)]
    pub compare: bool,
    /// Write per-PE statistics (CSV) to FILE.
    #[arg(long, value_name = "FILE")]
    pub pe_stats: Option<PathBuf>,
    /// Write the DRAM command trace to FILE.
    #[arg(long, value_name = "FILE")]
    pub dram_trace: Option<PathBuf>,
    /// Write a summary to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// List the compiler passes and exit.
    #[arg(long)]
    pub list_passes: bool,
    /// Override an arch key, checked like the file: `--set array=6x7` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Write SVG figures of the results into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticsStyle {
    /// Source excerpts with labels (coloured on a terminal).
    Rich,
    /// One `file:line:col: error[CODE]: message` line each.
    Short,
    /// One JSON object per line.
    Json,
}

impl From<DiagnosticsStyle> for Style {
    fn from(s: DiagnosticsStyle) -> Style {
        match s {
            DiagnosticsStyle::Rich => Style::Rich,
            DiagnosticsStyle::Short => Style::Short,
            DiagnosticsStyle::Json => Style::Json,
        }
    }
}

fn non_zero(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(0) => Err("must be a non-zero integer".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not an integer: {e}")),
    }
}

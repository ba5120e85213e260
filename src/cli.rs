//! The command line (clap), exactly as docs/language.md section "Command
//! line" describes it. Parsing only; `driver` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

use crate::diag::render::Style;
use crate::options::{Dataflow, Emit, Format, GflowGroup, Objective, PassKind, Verify};

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
    pub subcommand: Option<Subcommand>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `cnnc check`, `cnnc dram`, ...: the subcommands (a DRAM command, ACT or
/// RD, is `dram::Command`).
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
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
        /// How diagnostics are printed.
        #[arg(long, value_enum, default_value_t = DiagnosticsStyle::Rich)]
        diagnostics: DiagnosticsStyle,
    },
    /// Language server for .cnn files over stdin/stdout (docs/editors.md).
    Lsp,
    /// Turn an ONNX model or a SCALE-Sim topology (.csv) into a .cnn network.
    Import(ImportArgs),
    /// Cost a layer or network over the cross product of arch values.
    Sweep(SweepArgs),
    /// Join the outputs of `cnnc sweep --shard K/N` and mark the Pareto front.
    SweepMerge(MergeArgs),
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
    #[command(flatten)]
    pub search: SearchArgs,
    /// `full`: simulate every 2-D convolution of the layer and check every output.
    #[arg(long, value_enum, default_value_t = Verify::Sample)]
    pub verify: Verify,
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
    /// With `--emit ir`: print the IR after this pass (`all`: after every
    /// pass, in one run).
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

/// `cnnc import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An ONNX model (.onnx) or a SCALE-Sim topology (.csv).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// Write the .cnn text to FILE (whole or not at all) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE.cnn")]
    pub output: Option<PathBuf>,
    /// Batch size (overrides the model's; needed when it is symbolic).
    #[arg(long, value_name = "N")]
    pub batch: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    /// One row per design point, with a header.
    Csv,
    /// JSON Lines: one object per design point.
    Json,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[arg(value_name = "FILE.cnn")]
    pub file: PathBuf,
    /// Layer or network to cost: `conv4`, `alexnet.conv1`, `alexnet`.
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
    /// An arch key and its values: `--vary array=8x8,12x14` (repeatable; the cross product is run).
    #[arg(long, value_name = "KEY=V1,V2,...", required = true)]
    pub vary: Vec<String>,
    /// A fixed arch override for every point: `--set clock=250MHz` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The arch the values are applied to.
    #[arg(long, value_name = "NAME", default_value = "eyeriss")]
    pub arch: String,
    #[arg(long, value_enum, default_value_t = PassKind::Forward)]
    pub pass: PassKind,
    /// Dataflows to cost each point with, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "rs")]
    pub dataflow: Vec<Dataflow>,
    #[command(flatten)]
    pub search: SearchArgs,
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = SweepFormat::Csv)]
    pub format: SweepFormat,
    /// Write the rows to PATH (whole or not at all) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Run only the K-th of N contiguous slices of the points (no Pareto column; see `sweep-merge`);
    /// `auto`: K and N of the job-array task this runs in (Slurm, SGE, LSF).
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// Leave the Pareto column empty, as a shard does.
    #[arg(long)]
    pub no_pareto: bool,
    /// Write the energy-latency scatter (SVG) into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = DiagnosticsStyle::Rich)]
    pub diagnostics: DiagnosticsStyle,
}

/// What the mapping search chooses with, the same for a run and a sweep.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Grad-Flow grouping: `auto` (chosen per layer and pass from simulated
    /// cost) or a non-zero integer.
    #[arg(
        long,
        value_name = "auto|N",
        default_value = "auto",
        allow_negative_numbers = true
    )]
    pub gflow_group: GflowGroup,
    /// What the mapping search minimises (ties: more active PEs, then fewer cycles).
    #[arg(long, value_enum, default_value_t = Objective::Energy)]
    pub objective: Objective,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The outputs of `cnnc sweep --shard K/N`, for K = 1..N in order.
    #[arg(value_name = "SHARD", required = true)]
    pub shards: Vec<PathBuf>,
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Write the energy-latency scatter of all points (SVG) into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

/// `clap::ValueEnum` for an enum of `options` (which does not depend on
/// clap): every variant with its spelling and, where the variant has a doc
/// comment, the help `--help` shows for it (the doc without its period, as
/// clap's derive would print it).
macro_rules! value_enum {
    ($t:ident { $($v:ident => $name:literal $(, $help:literal)?;)* }) => {
        impl ValueEnum for $t {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($t::$v),*]
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(match self {
                    $($t::$v => clap::builder::PossibleValue::new($name)$(.help($help))?,)*
                })
            }
        }
    };
}

value_enum!(PassKind {
    Forward => "forward";
    Igrad => "igrad";
    Fgrad => "fgrad";
    All => "all", "A training step: forward, igrad and fgrad";
});

value_enum!(Dataflow {
    Rs => "rs", "Row-stationary";
    Gflow => "gflow", "Grad-Flow (EcoFlow)";
    RsSplit => "rs-split", "Row-stationary on a strided layer's gradient passes decomposed into stride-1 convolutions";
    Auto => "auto", "Per layer and pass, the cheapest of rs, gflow and rs-split under --objective";
});

value_enum!(Emit {
    Ast => "ast";
    Ir => "ir";
    Signals => "signals";
    Stats => "stats";
});

value_enum!(Format {
    Text => "text";
    Json => "json";
    Csv => "csv", "One row per layer, pass and dataflow, with a header";
});

value_enum!(Objective {
    Energy => "energy", "Energy of the layer";
    Latency => "latency", "Cycles of the layer";
    Edp => "edp", "Energy x cycles";
});

value_enum!(Verify {
    Sample => "sample", "The 2-D convolution of image 0, channel 0 and filter 0";
    Full => "full", "Every 2-D convolution of the layer, every output element checked";
});

#[cfg(test)]
mod tests {
    use super::*;

    /// The command line spells each option as its serde name (reports and
    /// JSON print the same word).
    fn spelled_as_serde<T: ValueEnum + serde::Serialize>() {
        for v in T::value_variants() {
            let name = v.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{name}\""));
        }
    }

    #[test]
    fn option_spellings_are_the_serde_names() {
        spelled_as_serde::<PassKind>();
        spelled_as_serde::<Dataflow>();
        spelled_as_serde::<Emit>();
        spelled_as_serde::<Format>();
        spelled_as_serde::<Objective>();
        spelled_as_serde::<Verify>();
    }
}

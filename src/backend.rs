//! Entry point from the driver into the stages below the front end
//! (IR, passes, bytecode, simulation, cost, statistics).

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::model::{Arch, Layer, Network};
use crate::options::{Dataflow, Emit, Format, PassKind};

mod compare;
mod layer_run;
mod network_run;
pub(crate) mod parallel;
mod report;

pub use report::{LayerReport, PassReport};

/// What the user asked to be simulated: one layer or a whole network.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Layer(&'a Layer),
    Network(&'a Network),
}

/// One request from the command line, after the front end has checked the file.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub target: Target<'a>,
    pub arch: &'a Arch,
    pub pass: PassKind,
    pub dataflow: Dataflow,
    pub gflow_group: i64,
    pub emit: Emit,
    pub format: Format,
    pub seed: u64,
    /// `--after PASS`: with `--emit ir`, print the IR after that pass.
    pub after: Option<String>,
    /// `--compare`: run both dataflows and print them side by side.
    pub compare: bool,
    /// `--pe-stats FILE.csv`.
    pub pe_stats: Option<PathBuf>,
    /// `--dram-trace FILE`.
    pub dram_trace: Option<PathBuf>,
    /// `--summary FILE`.
    pub summary: Option<PathBuf>,
}

/// What the backend produced: text for stdout, or diagnostics (exit status 1).
pub type Outcome = Result<String, Vec<Diagnostic>>;

/// Runs the stages the request needs.
pub fn run(request: &Request<'_>) -> Outcome {
    match request.target {
        Target::Layer(l) if request.compare => compare::run(request, std::slice::from_ref(l)),
        Target::Network(n) if request.compare => compare::run(request, &n.layers),
        Target::Layer(l) => layer_run::run(request, l),
        Target::Network(n) => network_run::run(request, n),
    }
}

/// Names and one-line descriptions of the compiler passes, for `--list-passes`.
pub fn list_passes() -> Vec<(&'static str, &'static str)> {
    crate::passes::registry()
        .iter()
        .map(|p| (p.name(), p.description()))
        .collect()
}

/// The passes a `--pass` value stands for.
pub(crate) fn passes_of(p: PassKind) -> Vec<PassKind> {
    match p {
        PassKind::All => vec![PassKind::Forward, PassKind::Igrad, PassKind::Fgrad],
        p => vec![p],
    }
}

/// Writes a side file (`--pe-stats`, `--summary`, `--dram-trace`).
pub(crate) fn write_side_file(path: &std::path::Path, text: &str) -> Result<(), Vec<Diagnostic>> {
    std::fs::write(path, text).map_err(|e| {
        vec![
            Diagnostic::error("E0920", format!("cannot write `{}`: {e}", path.display()))
                .with_help("check that the directory exists and is writable"),
        ]
    })
}

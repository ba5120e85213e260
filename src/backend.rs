//! Entry point from the driver into the stages below the front end
//! (IR, passes, bytecode, simulation, cost, statistics).

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::model::{Arch, Layer, Network};
use crate::options::{Dataflow, Emit, Format, PassKind};

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

/// Runs the stages the request needs. Not implemented yet: answers with an
/// error that the driver maps to exit status 2.
pub fn run(_request: &Request<'_>) -> Result<Outcome, NotImplemented> {
    Err(NotImplemented)
}

/// The stage the user asked for does not exist yet (exit status 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotImplemented;

/// Names and one-line descriptions of the compiler passes, for `--list-passes`.
pub fn list_passes() -> Vec<(&'static str, &'static str)> {
    Vec::new()
}

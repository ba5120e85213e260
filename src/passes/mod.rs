//! The pass manager: every pass has a name and a one-line description, is
//! registered in [`registry`], and runs over an [`ir::Module`]. Pipelines are
//! named lists of passes. In debug builds the IR verifier runs after every
//! pass and turns a broken invariant into an internal-error diagnostic.

mod allocate;
mod compile;
mod gflow_common;
mod gflow_fgrad;
mod gflow_igrad;
mod gflow_kinds;
mod gflow_map;
mod lower;
mod rs_map;
mod rs_stream;
mod schedule;
mod select;

use crate::diag::Diagnostic;
use crate::ir::{self, Module};
use crate::options::Dataflow;

pub use allocate::allocate_strips;
pub use compile::{compile, compile_physical};
pub use gflow_fgrad::gflow_fgrad_set;
pub use gflow_igrad::gflow_igrad_set;
pub use rs_map::{rs_set, RsGeometry};

/// Largest schedule (PEs x cycles of control) cnnc builds for one 2-D
/// convolution; beyond it the layer is refused rather than exhausting memory.
pub const MAX_PE_CYCLES: u64 = 50_000_000;

/// A compiler pass over the IR module.
pub trait Pass: Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn run(&self, m: &mut Module) -> Result<(), PassError>;
}

/// Why a pass could not run: the layer is refused (user-facing, with help),
/// or cnnc broke one of its own invariants.
#[derive(Debug, Clone, PartialEq)]
pub enum PassError {
    Refused(Box<Diagnostic>),
    Internal { pass: &'static str, message: String },
}

impl PassError {
    pub fn internal(pass: &'static str, message: impl Into<String>) -> PassError {
        PassError::Internal {
            pass,
            message: message.into(),
        }
    }

    pub fn refused(d: Diagnostic) -> PassError {
        PassError::Refused(Box::new(d))
    }
}

impl crate::diag::IntoDiagnostic for PassError {
    fn into_diagnostic(self) -> Diagnostic {
        match self {
            PassError::Refused(d) => *d,
            PassError::Internal { pass, message } => Diagnostic::error(
                crate::diag::Code::Internal,
                format!("internal error in pass `{pass}`: {message}"),
            )
            .with_help("this is a bug in cnnc; please report it with the input file"),
        }
    }
}

static SELECT: select::Select = select::Select;
static RS_MAP: rs_map::RsMap = rs_map::RsMap;
static GFLOW_MAP: gflow_map::GflowMap = gflow_map::GflowMap;
static ALLOCATE: allocate::Allocate = allocate::Allocate;
static SCHEDULE: schedule::Schedule = schedule::Schedule;
static LOWER: lower::Lower = lower::Lower;
static RS_STREAM: rs_stream::RsStream = rs_stream::RsStream;

/// Every pass, in pipeline order.
pub fn registry() -> [&'static dyn Pass; 7] {
    [
        &SELECT, &RS_MAP, &GFLOW_MAP, &RS_STREAM, &ALLOCATE, &SCHEDULE, &LOWER,
    ]
}

/// The named pipeline for a dataflow: the per-pass model (one 2-D
/// convolution on its whole logical set, scratchpads preloaded), or with
/// `physical` the row-stationary physical pass (a strip on the array, data
/// streamed over the networks).
pub fn pipeline(dataflow: Dataflow, physical: bool) -> [&'static dyn Pass; 5] {
    match (dataflow, physical) {
        (Dataflow::Rs, false) => [&SELECT, &RS_MAP, &ALLOCATE, &SCHEDULE, &LOWER],
        (Dataflow::Rs, true) => [&SELECT, &RS_STREAM, &ALLOCATE, &SCHEDULE, &LOWER],
        (Dataflow::Gflow, _) => [&SELECT, &GFLOW_MAP, &ALLOCATE, &SCHEDULE, &LOWER],
    }
}

pub fn pipeline_name(dataflow: Dataflow, physical: bool) -> &'static str {
    match (dataflow, physical) {
        (Dataflow::Rs, false) => "row-stationary",
        (Dataflow::Rs, true) => "row-stationary-physical",
        (Dataflow::Gflow, _) => "grad-flow",
    }
}

/// Runs the pipeline up to and including `stop_after` (all passes if `None`).
/// Returns an error diagnostic if a pass refuses the layer or breaks an
/// invariant; an unknown `stop_after` name is an error too.
pub fn run_pipeline(m: &mut Module, stop_after: Option<&str>) -> Result<(), Diagnostic> {
    let passes = pipeline(m.dataflow, m.physical);
    if let Some(name) = stop_after {
        if !passes.iter().any(|p| p.name() == name) {
            let names: Vec<&str> = passes.iter().map(|p| p.name()).collect();
            return Err(Diagnostic::error(
                crate::diag::Code::NoSuchPass,
                format!(
                    "no pass named `{name}` in the {} pipeline",
                    pipeline_name(m.dataflow, m.physical)
                ),
            )
            .with_help(format!("the passes are: {}", names.join(", "))));
        }
    }
    for p in passes {
        p.run(m)
            .map_err(crate::diag::IntoDiagnostic::into_diagnostic)?;
        if p.name() == "select" {
            crate::limits::check_pass_size(m)?;
        }
        if cfg!(debug_assertions) {
            ir::verify_module(m).map_err(|msg| {
                crate::diag::IntoDiagnostic::into_diagnostic(PassError::internal(p.name(), msg))
            })?;
        }
        if Some(p.name()) == stop_after {
            break;
        }
    }
    Ok(())
}

//! The pass manager: every pass has a name and a one-line description, is
//! registered in [`registry`], and runs over an [`ir::Module`]. Pipelines are
//! named lists of passes. In debug builds the IR verifier runs after every
//! pass and turns a broken invariant into an internal-error diagnostic.

mod allocate;
mod compile;
mod deliver;
mod gflow_common;
mod gflow_fgrad;
mod gflow_fit;
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
pub use compile::{compile, compile_dumping, compile_physical};
pub use gflow_fgrad::gflow_fgrad_set;
pub use gflow_igrad::{gflow_igrad_set, gflow_igrad_set_ordered};
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
static GFLOW_FIT: gflow_fit::GflowFit = gflow_fit::GflowFit;
static ALLOCATE: allocate::Allocate = allocate::Allocate;
static SCHEDULE: schedule::Schedule = schedule::Schedule;
static LOWER: lower::Lower = lower::Lower;
static RS_STREAM: rs_stream::RsStream = rs_stream::RsStream;

/// Every pass, in pipeline order.
pub fn registry() -> [&'static dyn Pass; 8] {
    [
        &SELECT, &RS_MAP, &GFLOW_MAP, &GFLOW_FIT, &RS_STREAM, &ALLOCATE, &SCHEDULE, &LOWER,
    ]
}

/// The named pipeline for a dataflow: the per-pass model (one 2-D
/// convolution on its whole logical set, scratchpads preloaded), or with
/// `physical` the row-stationary physical pass (a strip on the array, data
/// streamed over the networks).
pub fn pipeline(dataflow: Dataflow, physical: bool) -> &'static [&'static dyn Pass] {
    static RS: [&dyn Pass; 5] = [&SELECT, &RS_MAP, &ALLOCATE, &SCHEDULE, &LOWER];
    static RS_PHYSICAL: [&dyn Pass; 5] = [&SELECT, &RS_STREAM, &ALLOCATE, &SCHEDULE, &LOWER];
    static GFLOW: [&dyn Pass; 5] = [&SELECT, &GFLOW_MAP, &ALLOCATE, &SCHEDULE, &LOWER];
    static GFLOW_PHYSICAL: [&dyn Pass; 6] = [
        &SELECT, &GFLOW_MAP, &GFLOW_FIT, &ALLOCATE, &SCHEDULE, &LOWER,
    ];
    match (dataflow, physical) {
        (Dataflow::Rs, false) => &RS,
        (Dataflow::Rs, true) => &RS_PHYSICAL,
        (Dataflow::Gflow, false) => &GFLOW,
        (Dataflow::Gflow, true) => &GFLOW_PHYSICAL,
    }
}

pub fn pipeline_name(dataflow: Dataflow, physical: bool) -> &'static str {
    match (dataflow, physical) {
        (Dataflow::Rs, false) => "row-stationary",
        (Dataflow::Rs, true) => "row-stationary-physical",
        (Dataflow::Gflow, false) => "grad-flow",
        (Dataflow::Gflow, true) => "grad-flow-fitted",
    }
}

/// Grad-Flow's physical pipeline continued from a compiled logical module
/// (its `gflow-map` already ran): the set fitted to the arch's scratchpads
/// and lowered again, or `None` when it already fits.
pub fn refit(logical: &Module) -> Result<Option<Module>, Diagnostic> {
    let mut m = logical.clone();
    m.physical = true;
    GFLOW_FIT
        .run(&mut m)
        .map_err(crate::diag::IntoDiagnostic::into_diagnostic)?;
    if m.set == logical.set {
        return Ok(None);
    }
    for p in [&ALLOCATE as &dyn Pass, &SCHEDULE, &LOWER] {
        p.run(&mut m)
            .map_err(crate::diag::IntoDiagnostic::into_diagnostic)?;
        if cfg!(debug_assertions) {
            ir::verify_module(&m).map_err(|msg| {
                crate::diag::IntoDiagnostic::into_diagnostic(PassError::internal(p.name(), msg))
            })?;
        }
    }
    Ok(Some(m))
}

/// Runs the pipeline up to and including `stop_after` (all passes if `None`).
/// Returns an error diagnostic if a pass refuses the layer or breaks an
/// invariant; an unknown `stop_after` name is an error too.
pub fn run_pipeline(m: &mut Module, stop_after: Option<&str>) -> Result<(), Diagnostic> {
    run_pipeline_with(m, stop_after, &mut |_, _| {})
}

/// Runs the whole pipeline and prints the IR after every pass, in one run
/// (`--after all`): (pass name, IR text) in pipeline order.
pub fn run_pipeline_dumping(m: &mut Module) -> Result<Vec<(&'static str, String)>, Diagnostic> {
    let mut dumps = Vec::new();
    run_pipeline_with(m, None, &mut |name, m| {
        dumps.push((name, ir::print_module(m)))
    })?;
    Ok(dumps)
}

fn run_pipeline_with(
    m: &mut Module,
    stop_after: Option<&str>,
    after_each: &mut dyn FnMut(&'static str, &Module),
) -> Result<(), Diagnostic> {
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
    for &p in passes {
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
        after_each(p.name(), m);
        if Some(p.name()) == stop_after {
            break;
        }
    }
    Ok(())
}

//! The pass manager. Every pass has a name and a description, says which
//! parts of the [`ir::Module`] it needs from earlier passes and which it
//! provides, and is registered in [`registry`]. Pipelines are data: named
//! lists of passes in [`pipelines`], the one a request runs picked in
//! [`pipeline_for`]. Before a run the manager checks once that every pass's
//! needs are met by the module or an earlier pass; the options of the run
//! ([`PassOptions`], one field per pass that takes any) go to every pass.
//! In debug builds the IR verifier runs after every pass and turns a broken
//! invariant into an internal-error diagnostic.

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
mod rs_pass;
mod rs_stream;
mod schedule;
mod select;

use crate::diag::Diagnostic;
use crate::ir::{self, Module};
use crate::options::Dataflow;

pub use crate::ir::Part;
pub use crate::options::{GflowMapOptions, PassOptions};

pub use allocate::allocate_strips;
pub use compile::{compile, compile_dumping, compile_physical};
pub use gflow_fgrad::gflow_fgrad_set;
pub use gflow_igrad::{gflow_igrad_set, gflow_igrad_set_ordered};
pub use lower::lower;
pub use rs_map::{rs_set, RsLayout};
pub use rs_pass::{rs_pass, NoFit, ProcessingPass};

/// Largest schedule (PEs x cycles of control) cnnc builds for one 2-D
/// convolution; beyond it the layer is refused rather than exhausting memory.
pub const MAX_PE_CYCLES: u64 = 50_000_000;

/// A compiler pass over the IR module. Passes run through the manager
/// ([`run_pipeline`], [`refit`]), which checks [`Pass::needs`] first.
pub trait Pass: Sync {
    fn name(&self) -> &'static str;
    /// One line, for `--list-passes`.
    fn description(&self) -> &'static str;
    /// The module parts an earlier pass must have provided.
    fn needs(&self) -> &'static [Part];
    /// The module parts this pass fills in (or replaces).
    fn provides(&self) -> &'static [Part];
    /// The files of `src/passes/` it is written in, for the docs.
    fn files(&self) -> &'static [&'static str];
    /// What it does, in full: its row of the pass table in
    /// docs/architecture.md ([`docs_tables`]).
    fn doc(&self) -> &'static str;
    fn run(&self, m: &mut Module, opts: &PassOptions) -> Result<(), PassError>;
}

/// A part the pass declared in [`Pass::needs`]: the manager checked that
/// it is there before the pass ran.
fn needed<T>(part: Option<T>) -> T {
    part.expect("the pass manager checks a pass's needs before it runs")
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

/// A named pipeline: the passes a request of one dataflow runs, in order.
pub struct Pipeline {
    pub name: &'static str,
    /// What runs it, for the docs.
    pub description: &'static str,
    pub dataflow: Dataflow,
    /// The physical pipeline of the dataflow (see [`pipeline_for`]).
    pub physical: bool,
    pub passes: &'static [&'static dyn Pass],
}

static PIPELINES: [Pipeline; 4] = [
    Pipeline {
        name: "row-stationary",
        description: "the per-pass model of row-stationary (`pass_stats`)",
        dataflow: Dataflow::Rs,
        physical: false,
        passes: &[&SELECT, &RS_MAP, &ALLOCATE, &SCHEDULE, &LOWER],
    },
    Pipeline {
        name: "row-stationary-physical",
        description: "one strip of row-stationary on the array, streamed (the report's `physical_stats` before whole layers were simulated)",
        dataflow: Dataflow::Rs,
        physical: true,
        passes: &[&SELECT, &RS_STREAM, &ALLOCATE, &SCHEDULE, &LOWER],
    },
    Pipeline {
        name: "grad-flow",
        description: "the per-pass model of Grad-Flow (`pass_stats`)",
        dataflow: Dataflow::Gflow,
        physical: false,
        passes: &[&SELECT, &GFLOW_MAP, &ALLOCATE, &SCHEDULE, &LOWER],
    },
    Pipeline {
        name: "grad-flow-fitted",
        description:
            "Grad-Flow fitted to the arch's scratchpads, what the whole layer runs (`layer_stats`)",
        dataflow: Dataflow::Gflow,
        physical: true,
        passes: &[
            &SELECT, &GFLOW_MAP, &GFLOW_FIT, &ALLOCATE, &SCHEDULE, &LOWER,
        ],
    },
];

/// Every named pipeline.
pub fn pipelines() -> &'static [Pipeline] {
    &PIPELINES
}

/// The one place a request's dataflow decides its pipeline: the per-pass
/// model (one 2-D convolution on its whole logical set, scratchpads
/// preloaded), or with `physical` the dataflow's physical pipeline
/// (row-stationary: a strip on the array, data streamed over the networks;
/// Grad-Flow: the set fitted to the scratchpads).
pub fn pipeline_for(dataflow: Dataflow, physical: bool) -> &'static Pipeline {
    PIPELINES
        .iter()
        .find(|p| p.dataflow == dataflow && p.physical == physical)
        .expect("every dataflow has a per-pass and a physical pipeline")
}

/// The passes of [`pipeline_for`]`(dataflow, physical)`.
pub fn pipeline(dataflow: Dataflow, physical: bool) -> &'static [&'static dyn Pass] {
    pipeline_for(dataflow, physical).passes
}

/// Grad-Flow's physical pipeline continued from a compiled logical module
/// (its `gflow-map` already ran): the set fitted to the arch's scratchpads
/// and lowered again, or `None` when it already fits. The passes after
/// `gflow-map` take no options, and `gflow-fit` reads the grouping the set
/// was mapped with from the set.
pub fn refit(logical: &Module) -> Result<Option<Module>, Diagnostic> {
    let fitted = pipeline_for(Dataflow::Gflow, true);
    let from = fitted
        .passes
        .iter()
        .position(|p| p.name() == GFLOW_FIT.name())
        .expect("the fitted Grad-Flow pipeline has gflow-fit");
    let (fit, rest) = fitted.passes[from..].split_at(1);
    let opts = PassOptions::default();
    // The mapped set without what the passes after it made (they run again
    // if fitting changes the set), so the logical program is not copied.
    let mut m = Module {
        graph: logical.graph.clone(),
        set: logical.set.clone(),
        ..Module::new(
            logical.layer.clone(),
            logical.arch.clone(),
            logical.pass,
            logical.dataflow,
        )
    };
    m.physical = true;
    run_passes(&mut m, fitted.name, fit, &opts, None, &mut |_, _| {})?;
    if m.set == logical.set {
        return Ok(None);
    }
    run_passes(&mut m, fitted.name, rest, &opts, None, &mut |_, _| {})?;
    Ok(Some(m))
}

/// Runs the pipeline of the module's dataflow up to and including
/// `stop_after` (all passes if `None`) with the options `opts`. Returns an
/// error diagnostic if a pass refuses the layer or breaks an invariant; an
/// unknown `stop_after` name is an error too.
pub fn run_pipeline(
    m: &mut Module,
    opts: &PassOptions,
    stop_after: Option<&str>,
) -> Result<(), Diagnostic> {
    let p = pipeline_for(m.dataflow, m.physical);
    run_passes(m, p.name, p.passes, opts, stop_after, &mut |_, _| {})
}

/// Runs the whole pipeline and prints the IR after every pass, in one run
/// (`--after all`): (pass name, IR text) in pipeline order.
pub fn run_pipeline_dumping(
    m: &mut Module,
    opts: &PassOptions,
) -> Result<Vec<(&'static str, String)>, Diagnostic> {
    let p = pipeline_for(m.dataflow, m.physical);
    let mut dumps = Vec::new();
    run_passes(m, p.name, p.passes, opts, None, &mut |name, m| {
        dumps.push((name, ir::print_module(m, opts)))
    })?;
    Ok(dumps)
}

/// Checks, before anything runs, that every pass's needs are met by the
/// module as it comes or by an earlier pass of `passes`.
fn check_needs(m: &Module, pipeline: &str, passes: &[&dyn Pass]) -> Result<(), PassError> {
    let mut have: Vec<Part> = Part::ALL.into_iter().filter(|&p| m.has(p)).collect();
    for p in passes {
        if let Some(part) = p.needs().iter().find(|n| !have.contains(n)) {
            return Err(PassError::internal(
                p.name(),
                format!("needs the module's {part}, which no earlier pass of the {pipeline} pipeline provides"),
            ));
        }
        have.extend(p.provides());
    }
    Ok(())
}

fn run_passes(
    m: &mut Module,
    pipeline: &str,
    passes: &[&dyn Pass],
    opts: &PassOptions,
    stop_after: Option<&str>,
    after_each: &mut dyn FnMut(&'static str, &Module),
) -> Result<(), Diagnostic> {
    use crate::diag::IntoDiagnostic;
    if let Some(name) = stop_after {
        if !passes.iter().any(|p| p.name() == name) {
            let names: Vec<&str> = passes.iter().map(|p| p.name()).collect();
            return Err(Diagnostic::error(
                crate::diag::Code::NoSuchPass,
                format!("no pass named `{name}` in the {pipeline} pipeline"),
            )
            .with_help(format!("the passes are: {}", names.join(", "))));
        }
    }
    check_needs(m, pipeline, passes).map_err(IntoDiagnostic::into_diagnostic)?;
    for &p in passes {
        p.run(m, opts).map_err(IntoDiagnostic::into_diagnostic)?;
        if let Some(part) = p.provides().iter().find(|&&part| !m.has(part)) {
            return Err(PassError::internal(
                p.name(),
                format!("ran without providing the module's {part}"),
            )
            .into_diagnostic());
        }
        if cfg!(debug_assertions) {
            ir::verify_module(m)
                .map_err(|msg| PassError::internal(p.name(), msg).into_diagnostic())?;
        }
        after_each(p.name(), m);
        if Some(p.name()) == stop_after {
            break;
        }
    }
    Ok(())
}

/// The pipelines and the passes as the two markdown tables of
/// docs/architecture.md ("The passes"), generated from [`pipelines`] and
/// [`registry`]; a test fails when the docs differ.
pub fn docs_tables() -> String {
    let code = |s: &str| format!("`{s}`");
    let list = |xs: &mut dyn Iterator<Item = String>| {
        let v: Vec<String> = xs.collect();
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut s = String::from("| pipeline | runs | passes |\n|---|---|---|\n");
    for p in pipelines() {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            code(p.name),
            p.description,
            list(&mut p.passes.iter().map(|q| code(q.name())))
        ));
    }
    s.push_str("\n| pass | file | needs | provides | what it does |\n|---|---|---|---|---|\n");
    for p in registry() {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            code(p.name()),
            list(&mut p.files().iter().map(|f| code(f))),
            list(&mut p.needs().iter().map(|n| code(n.name()))),
            list(&mut p.provides().iter().map(|n| code(n.name()))),
            p.doc()
        ));
    }
    s
}

//! Entry point from the driver into the stages below the front end
//! (IR, passes, bytecode, simulation, cost, statistics).

use std::path::PathBuf;

use crate::diag::{Code, Diagnostic};
use crate::model::{Arch, Layer, Network};
use crate::options::{Dataflow, Emit, Format, Objective, PassKind, Verify};

mod auto_choice;
mod compare;
mod compare_text;
mod compare_totals;
mod compute;
pub(crate) mod csv_rows;
mod dataflow;
mod dataflow_reports;
mod dataflow_text;
mod gflow_auto;
mod layer_run;
mod network_report;
mod network_run;
mod not_included;
pub(crate) mod parallel;
mod report;
mod rs_split;

pub use compute::PassResult;
pub(crate) use dataflow::compute;
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
    pub gflow_group: crate::options::GflowGroup,
    /// `--objective`: what the mapping search minimises.
    pub objective: Objective,
    /// `--verify`: the sample convolution, or every one of the layer.
    pub verify: Verify,
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

impl<'a> Request<'a> {
    /// The request the command line makes when given only a target and an
    /// arch: forward pass, row-stationary, statistics as text.
    pub fn new(target: Target<'a>, arch: &'a Arch) -> Request<'a> {
        Request {
            target,
            arch,
            pass: PassKind::Forward,
            dataflow: Dataflow::Rs,
            gflow_group: crate::options::GflowGroup::Auto,
            objective: Objective::Energy,
            verify: Verify::Sample,
            emit: Emit::Stats,
            format: Format::Text,
            seed: 0,
            after: None,
            compare: false,
            pe_stats: None,
            dram_trace: None,
            summary: None,
        }
    }
}

/// What a run produced. The driver writes `text` and `files` (each whole,
/// see `crate::io::outfile`) and renders `refusals` on standard error.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// The report, for stdout or `-o`.
    pub text: String,
    /// Side files (`--pe-stats`, `--summary`, `--dram-trace`) by path; every
    /// path is one of [`side_file_paths`].
    pub files: Vec<(PathBuf, String)>,
    /// What the report marks as refused (a layer the arch cannot hold, a
    /// physical pass that does not fit, a layer of a network that cannot
    /// run): the report is printed, the run exits 1.
    pub refusals: Vec<Diagnostic>,
    /// Every pass report the run built, in the order figures show them
    /// (layer, pass, then row-stationary before Grad-Flow), for `--plot`,
    /// which renders them and computes nothing itself.
    pub reports: Vec<PassReport>,
    /// `--compare`: `reports` are pairs, row-stationary then Grad-Flow, of
    /// one layer-pass each (both sides costed), and `--plot` draws a
    /// comparison figure per pair.
    pub compared: bool,
}

/// The output of a run, or diagnostics alone (exit status 1).
pub type Outcome = Result<Output, Vec<Diagnostic>>;

/// Why a run that writes its report as it goes stopped.
#[derive(Debug)]
pub enum Halt {
    /// The run failed: diagnostics alone (exit status 1).
    Diagnostics(Vec<Diagnostic>),
    /// The report could not be written.
    Write(std::io::Error),
}

/// Runs the stages the request needs; the report is in `Output::text` and
/// every pass report in `Output::reports`.
pub fn run(request: &Request<'_>) -> Outcome {
    let mut text = Vec::new();
    match run_into(request, &mut text, true) {
        Ok(mut o) => {
            o.text = String::from_utf8(text).unwrap_or_default();
            Ok(o)
        }
        Err(Halt::Diagnostics(d)) => Err(d),
        // A Vec takes every write.
        Err(Halt::Write(e)) => Err(vec![Diagnostic::error(
            Code::Internal,
            format!("internal error: {e}"),
        )]),
    }
}

/// Runs the stages the request needs and writes the report into `out`
/// (`Output::text` stays empty). A network's report is written row by row
/// as its layer-passes finish, so its size does not bound the run's
/// memory; its pass reports are kept in `Output::reports` only when
/// `keep_reports` (for figures). A single layer and `--compare` are
/// written once complete.
pub fn run_into(
    request: &Request<'_>,
    out: &mut dyn std::io::Write,
    keep_reports: bool,
) -> Result<Output, Halt> {
    let whole = match request.target {
        Target::Network(n) if !request.compare => {
            return network_run::run(request, n, out, keep_reports)
        }
        Target::Layer(l) if request.compare => compare::run(request, std::slice::from_ref(l), &[]),
        Target::Network(n) => compare::run(request, &n.layers, &n.not_costed),
        Target::Layer(l) => layer_run::run(request, l),
    };
    let mut o = whole.map_err(Halt::Diagnostics)?;
    out.write_all(o.text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Halt::Write)?;
    o.text = String::new();
    Ok(o)
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

/// Every side file the request can produce, in a fixed order: a single
/// layer writes `FILE` (with `--pass all`, `STEM.PASS.EXT` per pass); a
/// network writes `STEM.MEMBER.EXT` per member (`STEM.MEMBER.PASS.EXT` with
/// `--pass all`). The driver creates them all before the run starts.
pub fn side_file_paths(req: &Request<'_>) -> Vec<PathBuf> {
    let passes = passes_of(req.pass);
    let layers: Vec<Option<&str>> = match req.target {
        Target::Layer(_) => vec![None],
        Target::Network(n) => n.layers.iter().map(|l| Some(member(&l.name))).collect(),
    };
    let mut out = Vec::new();
    for path in [&req.pe_stats, &req.summary, &req.dram_trace]
        .into_iter()
        .flatten()
    {
        for l in &layers {
            for &p in &passes {
                out.push(side_file_name(path, *l, p, passes.len()));
            }
        }
    }
    out
}

/// A network member's own name: `alexnet.conv1` -> `conv1`.
pub(crate) fn member(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(_, m)| m)
}

/// `x.csv` -> `x[.MEMBER][.PASS].csv`.
pub(crate) fn side_file_name(
    path: &std::path::Path,
    layer: Option<&str>,
    pass: PassKind,
    passes: usize,
) -> PathBuf {
    let mut parts = Vec::new();
    if let Some(l) = layer {
        parts.push(l.to_string());
    }
    if passes > 1 {
        parts.push(format!("{pass:?}").to_lowercase());
    }
    if parts.is_empty() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.{}{ext}", parts.join(".")))
}

/// The side files of one layer-pass: `(path, contents)` for each asked for.
pub(crate) fn side_files_of(
    req: &Request<'_>,
    o: &crate::sim::PassOutcome,
    r: &PassReport,
    layer: Option<&str>,
    n: usize,
) -> Result<Vec<(PathBuf, String)>, Diagnostic> {
    let name = |p: &std::path::Path| side_file_name(p, layer, o.module.pass, n);
    let mut out = Vec::new();
    if let Some(p) = &req.pe_stats {
        out.push((name(p), crate::stats::pe_csv(&o.pes)));
    }
    if req.summary.is_none() && req.dram_trace.is_none() {
        return Ok(out);
    }
    let ls = match (&r.layer_stats, &r.layer_refused) {
        (Some(ls), _) => ls,
        // The refusal's own code, whatever refused the layer: no mapping
        // fits (E0301), the hand-fixed one does not (E0302), counts or a
        // memspec the cost model cannot take (E0303, E0304), ...
        (None, Some(d)) => {
            return Err(Diagnostic::error(
                d.code,
                format!(
                    "no whole-layer figures for --summary or --dram-trace: {}",
                    report::refusal_line(d)
                ),
            )
            .with_primary(o.module.layer.span, "this layer"))
        }
        // A report without figures says why; one that does not is a bug.
        (None, None) => {
            return Err(Diagnostic::error(
                Code::Internal,
                "internal error: no whole-layer figures for --summary or --dram-trace, and no refusal saying why",
            )
            .with_primary(o.module.layer.span, "this layer"))
        }
    };
    if let Some(p) = &req.summary {
        out.push((name(p), crate::cost::layer::summary(o, ls)));
    }
    if let Some(p) = &req.dram_trace {
        out.push((name(p), crate::cost::layer::dram_trace(o, ls)));
    }
    Ok(out)
}

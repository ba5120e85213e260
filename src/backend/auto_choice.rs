//! `--dataflow auto`: per layer and pass, the cheapest of `rs`, `gflow`
//! and `rs-split` under `--objective`, each computed as its own dataflow
//! would be (simulated whole where that dataflow is), and the choice
//! reported with every candidate's figures.

use super::compute::{compute_direct, PassResult};
use super::dataflow_reports::{AutoReport, Candidate};
use super::Request;
use crate::diag::{Code, Diagnostic};
use crate::model::Layer;
use crate::options::{Dataflow, PassKind};

/// The dataflows `auto` weighs for a pass, in the order ties go: a forward
/// pass is row-stationary under every dataflow, so only `rs` is run.
fn dataflows(pass: PassKind) -> &'static [Dataflow] {
    match pass {
        PassKind::Forward => &[Dataflow::Rs],
        _ => &[Dataflow::Rs, Dataflow::Gflow, Dataflow::RsSplit],
    }
}

pub(crate) fn compute_auto(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
) -> Result<PassResult, Diagnostic> {
    choose(req, run_each(req, l, pass, dataflows(pass))?)
}

/// Each dataflow's run of one layer-pass, in order.
pub(crate) type Runs = Vec<(Dataflow, Result<PassResult, Diagnostic>)>;

/// `pass` of `l` under each of `flows` (rs, gflow or rs-split), in
/// parallel, in the order given.
pub(crate) fn run_each(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    flows: &[Dataflow],
) -> Result<Runs, Diagnostic> {
    let runs = crate::parallel::map_in_order(flows, |&d| match d {
        Dataflow::RsSplit => super::rs_split::compute(req, l, pass),
        d => compute_direct(req, l, pass, d),
    });
    let mut done = Vec::new();
    for (&d, run) in flows.iter().zip(runs) {
        let run = run.ok_or_else(|| {
            Diagnostic::error(
                Code::Internal,
                "internal error: a dataflow's run did not finish",
            )
        })?;
        done.push((d, run));
    }
    Ok(done)
}

/// The cheapest of the runs (row-stationary first: ties go to the first
/// listed) under the request's objective, with every candidate reported.
/// A run that is row-stationary's own (Grad-Flow falling back, rs-split
/// with nothing to decompose) is listed and not weighed. A wrong output or
/// an internal error in any run is the result.
pub(crate) fn choose(req: &Request<'_>, runs: Runs) -> Result<PassResult, Diagnostic> {
    let mut results = Vec::new();
    let mut candidates = Vec::new();
    let flows: Vec<Dataflow> = runs.iter().map(|(d, _)| *d).collect();
    for (d, run) in runs {
        let mut c = Candidate {
            dataflow: d,
            cycles: None,
            cycles_from: None,
            energy_pj: None,
            score: None,
            note: None,
        };
        match &run {
            // A wrong output is never hidden behind another dataflow.
            Err(e) if matches!(e.code, Code::WrongOutputs | Code::Internal) => {
                return Err(e.clone())
            }
            Err(e) => c.note = Some(super::report::refusal_line(e)),
            Ok(r) => match (&r.layer, same_as_rs(r)) {
                (_, Some(why)) if d != Dataflow::Rs => {
                    c.note = Some(format!("the same run as rs: {why}"))
                }
                (Ok(s), _) => {
                    c.cycles = Some(s.cycles);
                    c.cycles_from = Some(s.cycles_from);
                    c.energy_pj = Some(s.energy_pj.total);
                    c.score = Some(super::gflow_auto::score(s, req.objective));
                }
                (Err(e), _) => c.note = Some(super::report::refusal_line(e)),
            },
        }
        candidates.push(c);
        results.push(run.ok());
    }
    let scores: Vec<Option<f64>> = candidates.iter().map(|c| c.score).collect();
    let pick = super::gflow_auto::best(&scores).unwrap_or(0);
    let mut chosen = results.swap_remove(pick).ok_or_else(|| {
        Diagnostic::error(
            Code::Internal,
            "internal error: auto has no row-stationary run",
        )
    })?;
    chosen.auto = Some(AutoReport {
        chosen: flows[pick],
        objective: req.objective,
        candidates,
    });
    chosen.reported_as = Some(Dataflow::Auto);
    Ok(chosen)
}

/// Why a candidate's run is row-stationary's own (Grad-Flow falling back,
/// or rs-split with nothing to decompose), so it adds nothing to weigh.
fn same_as_rs(r: &PassResult) -> Option<String> {
    if let Some(d) = &r.gflow_fallback {
        return Some(format!("grad-flow does not map this pass ({})", d.code));
    }
    r.split.as_ref().and_then(|s| s.whole).map(str::to_string)
}

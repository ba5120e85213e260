//! `--dataflow rs-split`: a layer-pass run as its phases (`ir::phases`),
//! each an ordinary stride-1 layer computed, simulated whole and verified
//! by the row-stationary machinery like any layer; the whole layer-pass is
//! their sum (`cost::layer::phases`). A pass with nothing to decompose
//! runs row-stationary and says so.

use super::compute::{compute_with, logical, PassResult};
use super::dataflow_reports::{FormScore, PhaseReport, SplitReport};
use super::Request;
use crate::cost::layer::LayerStats;
use crate::diag::{Code, Diagnostic};
use crate::ir::phases::{fused, split, unwritten, Phase, Split};
use crate::model::Layer;
use crate::options::{Dataflow, PassKind};

pub(crate) fn compute(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
) -> Result<PassResult, Diagnostic> {
    let separate = match split(l, pass) {
        Split::Whole(why) => {
            let mut r = compute_with(req, l, pass, Dataflow::Rs, 1)?;
            r.split = Some(SplitReport {
                form: "whole",
                whole: Some(why),
                phases: Vec::new(),
                forms: Vec::new(),
            });
            r.reported_as = Some(Dataflow::RsSplit);
            return Ok(r);
        }
        Split::Phases(p) => p,
    };
    let mut forms = vec![("separate", separate)];
    if let Some(f) = fused(l, pass) {
        forms.push(("fused", vec![f]));
    }
    // The layer's own 2-D convolution (pass_stats, pe_set), as for every
    // dataflow; the whole layer is the phases'.
    let outcome = logical(req, l, pass, Dataflow::Rs)?;
    let mut costed = Vec::new();
    for (form, phases) in &forms {
        costed.push((*form, run_form(req, l, pass, phases)?));
    }
    let scores: Vec<Option<f64>> = costed
        .iter()
        .map(|(_, r)| {
            r.as_ref()
                .ok()
                .map(|(s, _)| super::gflow_auto::score(s, req.objective))
        })
        .collect();
    let table: Vec<FormScore> = costed
        .iter()
        .zip(&scores)
        .map(|((form, r), score)| FormScore {
            form,
            cycles: r.as_ref().ok().map(|(s, _)| s.cycles),
            energy_pj: r.as_ref().ok().map(|(s, _)| s.energy_pj.total),
            score: *score,
            refused: r.as_ref().err().map(super::report::refusal_line),
        })
        .collect();
    let pick = super::gflow_auto::best(&scores).unwrap_or(0);
    let (form, chosen) = costed.swap_remove(pick);
    let (layer, phases) = match chosen {
        Ok((mut s, p)) => {
            // The original runs the layer's own pass (it has no phases).
            s.sasiml_layer_cycles = crate::cost::layer::sasiml::layer_cycles(&outcome);
            (Ok(s), p)
        }
        Err(d) => (Err(d), Vec::new()),
    };
    Ok(PassResult {
        outcome,
        gflow_group_tried: None,
        gflow_fallback: None,
        layer,
        physical: None,
        split: Some(SplitReport {
            form,
            whole: None,
            phases,
            forms: table,
        }),
        auto: None,
        reported_as: Some(Dataflow::RsSplit),
    })
}

/// One form's phases computed (in parallel) and summed: the layer-pass's
/// figures and each phase's report, or the first phase's refusal. A wrong
/// output or an internal error is an error of the whole run.
fn run_form(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    phases: &[Phase],
) -> Result<Result<(LayerStats, Vec<PhaseReport>), Diagnostic>, Diagnostic> {
    let runs = crate::parallel::map_in_order(phases, |p| {
        compute_with(req, &p.layer, p.pass, Dataflow::Rs, 1)
    });
    let mut stats = Vec::new();
    let mut reports = Vec::new();
    for (p, run) in phases.iter().zip(runs) {
        let run = run.ok_or_else(|| {
            Diagnostic::error(
                Code::Internal,
                "internal error: an rs-split phase did not finish",
            )
        })?;
        match run.map(|r| r.layer) {
            Ok(Ok(s)) => {
                reports.push(PhaseReport::of(p, &s));
                stats.push(s);
            }
            Err(d) if matches!(d.code, Code::WrongOutputs | Code::Internal) => return Err(d),
            Err(d) | Ok(Err(d)) => return Ok(Err(d)),
        }
    }
    let unwritten = unwritten(l, pass, phases);
    Ok(
        crate::cost::layer::phases::combine(l, pass, req.arch, &stats, unwritten)
            .map(|s| (s, reports))
            .ok_or_else(|| {
                Diagnostic::error(Code::Internal, "internal error: rs-split has no phase")
            }),
    )
}

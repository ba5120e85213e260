//! The one place a request's passes are compiled, simulated and costed.
//! Everything after this reads the [`PassResult`]s it hands down; report
//! code renders them and never compiles or simulates.

use super::Request;
use crate::cost::layer::{layer_stats_verified, LayerStats};
use crate::diag::{Code, Diagnostic, IntoDiagnostic};
use crate::model::Layer;
use crate::options::{Dataflow, GflowGroup, PassKind, Verify};
use crate::passes::{compile, PassOptions};
use crate::sim::{simulate, verify_full, LayerVerification, Mismatch, PassOutcome, PhysicalStats};

/// One layer, pass and dataflow, computed: the simulated 2-D convolution,
/// the whole-layer figures (or the diagnostic refusing them) and, for
/// row-stationary, the simulated physical pass (or its refusal).
#[derive(Debug, Clone)]
pub struct PassResult {
    pub outcome: PassOutcome,
    /// Grad-Flow with `--gflow-group auto`: the groupings tried, in order
    /// (the one compiled is `outcome.module.gflow_group()`).
    pub gflow_group_tried: Option<Vec<i64>>,
    /// Grad-Flow asked for a pass it does not map (E0090: a transposed
    /// layer's input gradient, a dilated layer's gradients): the array runs
    /// it row-stationary, as a Grad-Flow accelerator would, and this says why.
    pub gflow_fallback: Option<Diagnostic>,
    pub layer: Result<LayerStats, Diagnostic>,
    pub physical: Option<Result<PhysicalStats, Diagnostic>>,
    /// `rs-split`: the phases run, or why the pass ran whole.
    pub split: Option<super::dataflow_reports::SplitReport>,
    /// `auto`: the dataflow chosen and every candidate's figures.
    pub auto: Option<super::dataflow_reports::AutoReport>,
    /// The dataflow the report names when it is not the compiled
    /// module's (`rs-split`, `auto`).
    pub reported_as: Option<Dataflow>,
}

/// Compiles and simulates one pass, costs the whole layer and simulates
/// the physical pass. A wrong output anywhere is an error diagnostic.
/// Grad-Flow's grouping is the request's, or with `auto` the candidate
/// whose simulated layer the objective ranks first.
pub(crate) fn compute_direct(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: Dataflow,
) -> Result<PassResult, Diagnostic> {
    let r = match (dataflow, req.gflow_group) {
        (Dataflow::Gflow, GflowGroup::Auto) => compute_auto(req, l, pass),
        (Dataflow::Gflow, GflowGroup::Fixed(g)) => compute_with(req, l, pass, dataflow, g),
        _ => compute_with(req, l, pass, dataflow, 1),
    };
    match r {
        // One rule for every layer-pass Grad-Flow does not map: it runs
        // row-stationary and says so. The forward pass of an ordinary
        // layer is refused (E0202) only when it is all that was asked for
        // (one layer, `--pass forward`); a network or `--pass all` runs it
        // row-stationary like a pass of a transposed layer (E0090).
        Err(d)
            if dataflow == Dataflow::Gflow
                && (d.code == Code::GflowNotOrdinary
                    || (d.code == Code::GflowForward && runs_many(req))) =>
        {
            let mut rs = compute_with(req, l, pass, Dataflow::Rs, 1)?;
            rs.gflow_fallback = Some(d);
            Ok(rs)
        }
        r => r,
    }
}

/// Whether the request runs more than the one layer-pass it names: a
/// network or `--pass all` (not `--compare`, whose Grad-Flow side must be
/// Grad-Flow's or refused).
fn runs_many(req: &Request<'_>) -> bool {
    !req.compare && (req.pass == PassKind::All || matches!(req.target, super::Target::Network(_)))
}

/// The grouping `compute` settles on for a layer, pass and dataflow (1
/// for row-stationary, which has none).
pub(crate) fn gflow_group(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: Dataflow,
) -> Result<i64, Diagnostic> {
    match (dataflow, req.gflow_group) {
        (Dataflow::Gflow, GflowGroup::Fixed(g)) => Ok(g),
        (Dataflow::Gflow, GflowGroup::Auto) => {
            Ok(compute_auto(req, l, pass)?.outcome.module.gflow_group())
        }
        _ => Ok(1),
    }
}

/// Every candidate grouping costed with the sample verification; the best
/// is then verified as the request asks. A candidate the layer cannot take
/// is skipped, but a wrong output or an internal error is never hidden.
fn compute_auto(req: &Request<'_>, l: &Layer, pass: PassKind) -> Result<PassResult, Diagnostic> {
    let tried = super::gflow_auto::candidates(l, pass);
    let sample = Request {
        verify: Verify::Sample,
        ..req.clone()
    };
    let mut results = Vec::new();
    let mut first_err = None;
    // The candidates run in parallel (a network's largest layer would
    // otherwise run its candidates one after another on one core); the
    // choice depends only on their results, in candidate order.
    let runs = crate::parallel::map_in_order(&tried, |&g| {
        compute_with(&sample, l, pass, Dataflow::Gflow, g)
    });
    for run in runs {
        let Some(run) = run else {
            return Err(Diagnostic::error(
                Code::Internal,
                "internal error: a Grad-Flow grouping candidate did not finish",
            ));
        };
        match run {
            Ok(r) => results.push(r),
            Err(d) if matches!(d.code, Code::WrongOutputs | Code::Internal) => return Err(d),
            Err(d) => {
                first_err.get_or_insert(d);
            }
        }
    }
    let scores: Vec<Option<f64>> = results
        .iter()
        .map(|r| {
            r.layer
                .as_ref()
                .ok()
                .map(|s| super::gflow_auto::score(s, req.objective))
        })
        .collect();
    let pick = super::gflow_auto::best(&scores).unwrap_or(0);
    if results.is_empty() {
        return Err(first_err.unwrap_or_else(|| {
            Diagnostic::error(
                Code::Internal,
                "internal error: no Grad-Flow grouping tried",
            )
        }));
    }
    let mut chosen = results.swap_remove(pick);
    if req.verify != Verify::Sample {
        chosen = compute_with(
            req,
            l,
            pass,
            Dataflow::Gflow,
            chosen.outcome.module.gflow_group(),
        )?;
    }
    chosen.gflow_group_tried = Some(tried);
    Ok(chosen)
}

/// The layer's own 2-D convolution for `pass` under `dataflow`, compiled,
/// simulated and checked (what `pass_stats` reports).
pub(crate) fn logical(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: Dataflow,
) -> Result<PassOutcome, Diagnostic> {
    let m = compile(
        l,
        req.arch,
        pass,
        dataflow,
        &PassOptions::gflow_group(1),
        None,
    )?;
    checked(simulate(m, req.seed)?)
}

pub(crate) fn compute_with(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: Dataflow,
    gflow_group: i64,
) -> Result<PassResult, Diagnostic> {
    let opts = PassOptions::gflow_group(gflow_group);
    let m = compile(l, req.arch, pass, dataflow, &opts, None)?;
    let outcome = checked(simulate(m, req.seed)?)?;
    // Grad-Flow's layer runs the set fitted to the arch's scratchpads (the
    // same set when it already fits); `outcome` keeps the original's.
    let fitted = match dataflow {
        Dataflow::Gflow => Some(fit(req, &outcome)),
        _ => None,
    };
    // The cost stage's refusal becomes its diagnostic here, kept for the
    // report to render.
    let full = req.verify == Verify::Full;
    let cost =
        |o| layer_stats_verified(o, req.objective, full).map_err(IntoDiagnostic::into_diagnostic);
    let (layer_run, mut layer) = match &fitted {
        None => (&outcome, cost(&outcome)),
        Some(Ok(f)) => (f, cost(f)),
        Some(Err(d)) => (&outcome, Err(d.clone())),
    };
    if let Ok(s) = &layer {
        if let Some(sim) = s.simulation.as_ref().filter(|sim| !sim.verified) {
            return Err(whole_layer_mismatch(&outcome, sim));
        }
    }
    // The original's figure is of its own (unfitted) logical set.
    if let Ok(s) = &mut layer {
        s.sasiml_layer_cycles = crate::cost::layer::sasiml::layer_cycles(&outcome);
    }
    // The whole layer simulated in full mode checked every output itself;
    // a pass it does not cover is verified convolution by convolution.
    let simulated_full = matches!(&layer, Ok(s) if s.verify == "full");
    if let (Verify::Full, Ok(s), false) = (req.verify, &mut layer, simulated_full) {
        let v = verify_full(&layer_run.module, req.seed)?;
        if !v.verified {
            return Err(layer_mismatch(&outcome, &v));
        }
        s.verified = v.verified;
        s.verified_outputs = v.verified_outputs;
        s.verify = v.mode;
        s.convs_simulated = v.convs_simulated;
    }
    // `physical_stats` is the whole-layer simulation's first processing
    // pass: the array has one model, the one the layer's figures add up.
    let physical = (dataflow == Dataflow::Rs).then(|| first_pass(l, req.arch, &layer));
    Ok(PassResult {
        outcome,
        gflow_group_tried: None,
        gflow_fallback: None,
        layer,
        physical,
        split: None,
        auto: None,
        reported_as: None,
    })
}

/// The Grad-Flow set fitted to the arch's scratchpads, simulated; the
/// logical outcome itself when fitting changes nothing.
fn fit(req: &Request<'_>, logical: &PassOutcome) -> Result<PassOutcome, Diagnostic> {
    match crate::passes::refit(&logical.module)? {
        None => Ok(logical.clone()),
        Some(m) => checked(simulate(m, req.seed)?),
    }
}

/// The layer's first processing pass as the whole-layer simulation ran it,
/// or E0207 saying why no pass of the layer ran.
fn first_pass(
    l: &Layer,
    arch: &crate::model::Arch,
    layer: &Result<LayerStats, Diagnostic>,
) -> Result<PhysicalStats, Diagnostic> {
    let why = match layer {
        Ok(s) => match s.simulation.as_ref().and_then(|sim| sim.first_pass.clone()) {
            Some(p) => return Ok(p),
            None => s
                .simulation_skipped
                .clone()
                .unwrap_or_else(|| "the layer was not simulated whole".into()),
        },
        Err(d) => d.message.clone(),
    };
    Err(Diagnostic::error(
        Code::PhysicalNoFit,
        format!("no processing pass of the layer ran on the array: {why}"),
    )
    .with_primary(l.span, "this layer")
    .with_declared(arch.span, "this arch")
    .with_help(
        "`layer_stats` says why the layer was not simulated whole; its figures are the estimate's",
    ))
}

/// The outcome if every output equals the reference; otherwise E0911
/// listing the first wrong elements.
fn checked(o: PassOutcome) -> Result<PassOutcome, Diagnostic> {
    if o.stats.verified {
        return Ok(o);
    }
    let what = if o.module.physical {
        ", physical pass"
    } else {
        ""
    };
    let notes = o.stats.mismatches.iter().map(|m| ("", m));
    Err(mismatch(&o, what, notes))
}

/// E0911 for a whole-layer simulation whose outputs were wrong.
fn whole_layer_mismatch(o: &PassOutcome, sim: &crate::sim::LayerSimulation) -> Diagnostic {
    let notes = sim.mismatches.iter().map(|m| ("", m));
    mismatch(o, ", whole layer on the array", notes)
}

/// E0911 for a layer whose full verification found wrong outputs.
fn layer_mismatch(o: &PassOutcome, v: &LayerVerification) -> Diagnostic {
    let slices: Vec<(String, &Mismatch)> = v
        .mismatches
        .iter()
        .map(|((a, b), m)| (format!("slice ({a}, {b}), "), m))
        .collect();
    let notes = slices.iter().map(|(s, m)| (s.as_str(), *m));
    mismatch(o, ", every 2-D convolution", notes)
}

/// E0911 naming the layer and listing the first wrong elements, each
/// after its prefix (the output slice, for a whole layer).
fn mismatch<'a>(
    o: &PassOutcome,
    what: &str,
    wrong: impl Iterator<Item = (&'a str, &'a Mismatch)>,
) -> Diagnostic {
    let l = &o.module.layer;
    let mut d = Diagnostic::error(
        Code::WrongOutputs,
        format!(
            "simulated outputs of layer `{}` ({:?}{what}) differ from the reference",
            l.name, o.module.pass
        ),
    )
    .with_primary(l.span, "this layer");
    for (prefix, m) in wrong {
        d = d.with_note(format!(
            "{prefix}element ({}, {}): expected {}, simulated {}",
            m.row,
            m.col,
            m.expected,
            m.actual.map_or("nothing".to_string(), |v| v.to_string())
        ));
    }
    d.with_help("this is a bug in cnnc's mapping; please report it with the input file")
}

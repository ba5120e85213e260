//! The one place a request's passes are compiled, simulated and costed.
//! Everything after this reads the [`PassResult`]s it hands down; report
//! code renders them and never compiles or simulates.

use super::Request;
use crate::cost::layer::{layer_stats, LayerStats};
use crate::diag::{Code, Diagnostic};
use crate::model::Layer;
use crate::options::{Dataflow, PassKind, Verify};
use crate::passes::{compile, compile_physical};
use crate::sim::{simulate, verify_full, LayerVerification, Mismatch, PassOutcome};

/// One layer, pass and dataflow, computed: the simulated 2-D convolution,
/// the whole-layer figures (or the diagnostic refusing them) and, for
/// row-stationary, the simulated physical pass (or its refusal).
#[derive(Debug, Clone)]
pub struct PassResult {
    pub outcome: PassOutcome,
    pub layer: Result<LayerStats, Diagnostic>,
    pub physical: Option<Result<PassOutcome, Diagnostic>>,
}

/// Compiles and simulates one pass, costs the whole layer and simulates
/// the physical pass. A wrong output anywhere is an error diagnostic.
pub(crate) fn compute(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: Dataflow,
) -> Result<PassResult, Diagnostic> {
    let m = compile(l, req.arch, pass, dataflow, req.gflow_group, None)?;
    let outcome = checked(simulate(m, req.seed)?)?;
    let mut layer = layer_stats(&outcome, req.objective);
    if let (Verify::Full, Ok(s)) = (req.verify, &mut layer) {
        let v = verify_full(&outcome.module, req.seed)?;
        if !v.verified {
            return Err(layer_mismatch(&outcome, &v));
        }
        s.verified = v.verified;
        s.verified_outputs = v.verified_outputs;
        s.verify = v.mode;
        s.convs_simulated = v.convs_simulated;
    }
    let physical = (dataflow == Dataflow::Rs).then(|| {
        compile_physical(l, req.arch, pass)
            .and_then(|m| simulate(m, req.seed))
            .and_then(checked)
    });
    Ok(PassResult {
        outcome,
        layer,
        physical,
    })
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

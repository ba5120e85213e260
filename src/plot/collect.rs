//! The reports a figure needs: every layer and pass of the request, with
//! whole-layer figures (no physical pass: no figure shows it).

use crate::backend::{compute, parallel::parallel_map, passes_of, PassReport, Request, Target};
use crate::diag::Diagnostic;
use crate::model::Layer;
use crate::options::{Dataflow, PassKind};

fn one(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    df: Dataflow,
) -> Result<PassReport, Diagnostic> {
    // The same orchestrator as the report (`backend::compute`), so the
    // figures show exactly the printed figures.
    Ok(PassReport::new(&compute(req, l, pass, df)?))
}

pub fn reports(req: &Request<'_>) -> Result<Vec<PassReport>, Vec<Diagnostic>> {
    let layers: &[Layer] = match req.target {
        Target::Layer(l) => std::slice::from_ref(l),
        Target::Network(n) => &n.layers,
    };
    let dataflows = if req.compare {
        vec![Dataflow::Rs, Dataflow::Gflow]
    } else {
        vec![req.dataflow]
    };
    let passes: Vec<PassKind> = passes_of(req.pass)
        .into_iter()
        .filter(|&p| !(req.compare && p == PassKind::Forward))
        .collect();
    let mut jobs: Vec<(&Layer, PassKind, Dataflow)> = Vec::new();
    for l in layers {
        for &p in &passes {
            for &d in &dataflows {
                jobs.push((l, p, d));
            }
        }
    }
    let results = parallel_map(&jobs, |&(l, p, d)| one(req, l, p, d));
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(r) => out.push(r),
            // A side --compare cannot run is already reported in the text.
            Err(d) if req.compare => drop(d),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

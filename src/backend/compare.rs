//! `--compare`: both dataflows on the same layer and pass, side by side.

use super::compare_totals::{totals, Row};
use super::dataflow::compute;
use super::not_included::{operators, NotIncluded};
use super::{passes_of, Outcome, Output, PassReport, Request};
use crate::diag::{Code, Diagnostic};
use crate::model::{Layer, NotCosted};
use crate::options::{Dataflow, Format, PassKind};

pub(crate) fn run(req: &Request<'_>, layers: &[Layer], not_costed: &[NotCosted]) -> Outcome {
    // With `--pass all` the forward pass is in the table too, row-stationary
    // on both sides (Grad-Flow maps only the gradients), so the totals are
    // a whole training step.
    let passes: Vec<PassKind> = passes_of(req.pass);
    if passes == [PassKind::Forward] {
        let span = layers.first().map(|l| l.span).unwrap_or_default();
        return Err(vec![Diagnostic::error(
            Code::CompareForward,
            "`--compare` compares row-stationary with Grad-Flow, which maps only igrad and fgrad",
        )
        .with_primary(span, "this layer")
        .with_help(
            "use `--compare` with `--pass igrad`, `--pass fgrad` or `--pass all`",
        )]);
    }
    let jobs: Vec<(&Layer, PassKind)> = layers
        .iter()
        .flat_map(|l| passes.iter().map(move |&p| (l, p)))
        .collect();
    let side =
        |l: &Layer, p: PassKind, df: Dataflow| compute(req, l, p, df).map(|r| PassReport::new(&r));
    let progress = crate::progress::Progress::new(jobs.len(), "layer passes");
    let rows: Vec<Row> = super::parallel::parallel_map(&jobs, |&(l, p)| {
        let rs = side(l, p, Dataflow::Rs);
        // The forward pass is row-stationary on both sides: computed once.
        let gflow = if p == PassKind::Forward {
            rs.clone()
        } else {
            side(l, p, Dataflow::Gflow)
        };
        let row = Row {
            layer: l.name.clone(),
            pass: p,
            rs,
            gflow,
        };
        progress.inc();
        Ok(row)
    })
    .into_iter()
    .collect::<Result<_, _>>()
    .map_err(|d| vec![d])?;
    // Both sides are reported; what either side refused also goes to stderr.
    let mut refusals = Vec::new();
    for r in &rows {
        for side in [&r.rs, &r.gflow] {
            match side {
                Ok(p) => refusals.extend(p.refusals.iter().cloned()),
                Err(d) => refusals.push(d.clone()),
            }
        }
    }
    let text = match req.format {
        Format::Csv => {
            let sides: Vec<_> = rows
                .iter()
                .flat_map(|r| {
                    let pass = format!("{:?}", r.pass).to_lowercase();
                    // The forward pass is row-stationary on both sides: one row.
                    let sides: &[(&str, &Result<PassReport, Diagnostic>)] =
                        if r.pass == PassKind::Forward {
                            &[("rs", &r.rs)]
                        } else {
                            &[("rs", &r.rs), ("gflow", &r.gflow)]
                        };
                    sides
                        .iter()
                        .map(|&(df, side)| (r.layer.clone(), pass.clone(), df.to_string(), side))
                        .collect::<Vec<_>>()
                })
                .collect();
            let mut csv = super::csv_rows::compare_table(&sides);
            for row in operators(not_costed)
                .iter()
                .filter_map(NotIncluded::csv_row)
            {
                csv.push_str(&row);
                csv.push('\n');
            }
            csv
        }
        Format::Json => {
            let json_side = |r: &Result<PassReport, Diagnostic>| match r {
                Ok(r) => serde_json::json!(r),
                Err(d) => {
                    serde_json::json!({ "refused": { "code": d.code, "message": d.message } })
                }
            };
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({ "layer": r.layer, "pass": r.pass, "rs": json_side(&r.rs), "gflow": json_side(&r.gflow) })
                })
                .collect();
            let t = totals(&rows, not_costed);
            serde_json::to_string_pretty(&serde_json::json!({ "schema_version": crate::schema::SCHEMA_VERSION, "rows": v, "totals": t }))
                .unwrap_or_default()
                + "\n"
        }
        Format::Text => super::compare_text::render(&rows, &totals(&rows, not_costed)),
    };
    // The figures show the passes the two dataflows differ on.
    // Only pairs both sides costed, so `--plot` can draw each pair.
    let reports = rows
        .into_iter()
        .filter(|r| r.pass != PassKind::Forward)
        .filter_map(|r| match (r.rs, r.gflow) {
            (Ok(a), Ok(b)) => Some([a, b]),
            _ => None,
        })
        .flatten()
        .collect();
    Ok(Output {
        text,
        files: Vec::new(),
        refusals,
        reports,
        compared: true,
    })
}

//! `--compare`: every dataflow on the same layer and pass, side by side.

use super::compare_totals::{totals, Row, SIDES};
use super::dataflow::compute;
use super::not_included::{operators, NotIncluded};
use super::{passes_of, Outcome, Output, PassReport, Request};
use crate::diag::{Code, Diagnostic};
use crate::model::{Layer, NotCosted};
use crate::options::{dataflow_name, Dataflow, Format, PassKind};

pub(crate) fn run(req: &Request<'_>, layers: &[Layer], not_costed: &[NotCosted]) -> Outcome {
    // With `--pass all` the forward pass is in the table too, row-stationary
    // on both sides (Grad-Flow maps only the gradients), so the totals are
    // a whole training step.
    let passes: Vec<PassKind> = passes_of(req.pass);
    if passes == [PassKind::Forward] {
        let span = layers.first().map(|l| l.span).unwrap_or_default();
        return Err(vec![Diagnostic::error(
            Code::CompareForward,
            "`--compare` compares the dataflows of the gradient passes; a forward pass is row-stationary under every dataflow",
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
    let progress = crate::progress::Progress::new(jobs.len(), "layer passes");
    let rows: Vec<Row> = super::parallel::parallel_map(&jobs, |&(l, p)| {
        let row = Row {
            layer: l.name.clone(),
            pass: p,
            sides: sides(req, l, p)?,
        };
        progress.inc();
        Ok(row)
    })
    .into_iter()
    .collect::<Result<_, _>>()
    .map_err(|d| vec![d])?;
    // Every side is reported; what any side refused also goes to stderr.
    let mut refusals = Vec::new();
    for r in &rows {
        for side in distinct(r) {
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
                    // The forward pass is row-stationary on every side: one row.
                    let n = if r.pass == PassKind::Forward {
                        1
                    } else {
                        SIDES.len()
                    };
                    SIDES
                        .iter()
                        .zip(&r.sides)
                        .take(n)
                        .map(|(&df, side)| {
                            (
                                r.layer.clone(),
                                pass.clone(),
                                dataflow_name(df).to_string(),
                                side,
                            )
                        })
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
                    let mut o = serde_json::Map::new();
                    o.insert("layer".into(), serde_json::json!(r.layer));
                    o.insert("pass".into(), serde_json::json!(r.pass));
                    for (&df, side) in SIDES.iter().zip(&r.sides) {
                        o.insert(dataflow_name(df).into(), json_side(side));
                    }
                    serde_json::Value::Object(o)
                })
                .collect();
            let t = totals(&rows, not_costed);
            serde_json::to_string_pretty(&serde_json::json!({ "schema_version": crate::schema::SCHEMA_VERSION, "rows": v, "totals": t }))
                .unwrap_or_default()
                + "\n"
        }
        Format::Text => super::compare_text::render(&rows, &totals(&rows, not_costed)),
    };
    // The figures show the gradient passes, where the dataflows differ:
    // every side of a layer-pass all of whose sides were costed, so
    // `--plot` can draw each layer-pass (`plot::write_figures` takes them
    // `SIDES.len()` at a time).
    let reports = rows
        .into_iter()
        .filter(|r| r.pass != PassKind::Forward)
        .filter_map(|r| r.sides.into_iter().collect::<Result<Vec<_>, _>>().ok())
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

/// A layer-pass under every dataflow of `SIDES`. The forward pass is
/// row-stationary under all of them: computed once. `auto` is the choice
/// among the other three runs (`auto_choice::choose`), not a fourth run.
fn sides(
    req: &Request<'_>,
    l: &Layer,
    p: PassKind,
) -> Result<Vec<Result<PassReport, Diagnostic>>, Diagnostic> {
    if p == PassKind::Forward {
        let rs = compute(req, l, p, Dataflow::Rs).map(|r| PassReport::new(&r));
        return Ok(vec![rs; SIDES.len()]);
    }
    let done = super::auto_choice::run_each(req, l, p, &SIDES[..3])?;
    let mut out: Vec<Result<PassReport, Diagnostic>> = done
        .iter()
        .map(|(_, r)| r.as_ref().map(PassReport::new).map_err(Clone::clone))
        .collect();
    out.push(super::auto_choice::choose(req, done).map(|r| PassReport::new(&r)));
    Ok(out)
}

/// The sides of a row that were computed separately (the forward pass's
/// are one run).
fn distinct(r: &Row) -> &[Result<PassReport, Diagnostic>] {
    if r.pass == PassKind::Forward {
        &r.sides[..1]
    } else {
        // `auto` repeats one of the other three.
        &r.sides[..3]
    }
}

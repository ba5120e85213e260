//! `--compare`: both dataflows on the same layer and pass, side by side.

use std::fmt::Write;

use super::compute::compute;
use super::{passes_of, Outcome, Output, PassReport, Request};
use crate::diag::Diagnostic;
use crate::model::Layer;
use crate::options::{Dataflow, Format, PassKind};

/// One layer and pass under both dataflows; a side the layer cannot run
/// with holds the diagnostic that says why.
struct Row {
    layer: String,
    pass: PassKind,
    rs: Result<PassReport, Diagnostic>,
    gflow: Result<PassReport, Diagnostic>,
}

pub(crate) fn run(req: &Request<'_>, layers: &[Layer]) -> Outcome {
    let passes: Vec<PassKind> = passes_of(req.pass)
        .into_iter()
        .filter(|&p| p != PassKind::Forward)
        .collect();
    if passes.is_empty() {
        let span = layers.first().map(|l| l.span).unwrap_or_default();
        return Err(vec![Diagnostic::error(
            "E0205",
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
        let row = Row {
            layer: l.name.clone(),
            pass: p,
            rs: side(l, p, Dataflow::Rs),
            gflow: side(l, p, Dataflow::Gflow),
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
                    [("rs", &r.rs), ("gflow", &r.gflow)]
                        .map(|(df, side)| (r.layer.clone(), pass.clone(), df.to_string(), side))
                })
                .collect();
            super::csv_rows::compare_table(&sides)
        }
        Format::Json => {
            let json_side = |r: &Result<PassReport, Diagnostic>| match r {
                Ok(r) => serde_json::json!(r),
                Err(d) => serde_json::json!({ "refused": { "code": d.code, "message": d.message } }),
            };
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({ "layer": r.layer, "pass": r.pass, "rs": json_side(&r.rs), "gflow": json_side(&r.gflow) })
                })
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        Format::Text => rows.iter().map(|r| match (&r.rs, &r.gflow) {
            (Ok(rs), Ok(gf)) => table(rs, gf),
            (rs, gf) => {
                let mut s = format!("layer {}: pass {:?}, row-stationary vs Grad-Flow\n", r.layer, r.pass);
                for (name, side) in [("rs", rs), ("gflow", gf)] {
                    match side {
                        Ok(p) => s.push_str(&format!(
                            "  {name}: pe_set {} x {}, cycles {}, macs {}, zero_macs {}, verified {}\n",
                            p.pe_set.rows, p.pe_set.cols, p.pass_stats.cycles, p.pass_stats.macs, p.pass_stats.zero_macs, p.pass_stats.verified
                        )),
                        Err(d) => s.push_str(&format!("  {name}: refused: error[{}]: {}\n", d.code, d.message)),
                    }
                }
                s
            }
        }).collect::<Vec<_>>().join("\n"),
    };
    Ok(Output {
        text,
        files: Vec::new(),
        refusals,
    })
}

fn ratio(a: f64, b: f64) -> String {
    if b == 0.0 {
        "-".to_string()
    } else {
        format!("{:.3}", a / b)
    }
}

fn table(rs: &PassReport, gf: &PassReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "layer {} on arch {}: pass {:?}, row-stationary vs Grad-Flow (group {})",
        rs.layer, rs.arch, rs.pass, gf.gflow_group
    );
    let _ = writeln!(
        s,
        "{:<14} {:>14} {:>14} {:>12}",
        "", "rs", "gflow", "gflow/rs"
    );
    let (a, b) = (&rs.pass_stats, &gf.pass_stats);
    let pe = |r: &PassReport| format!("{} x {}", r.pe_set.rows, r.pe_set.cols);
    let pes = |r: &PassReport| (r.pe_set.rows * r.pe_set.cols) as f64;
    let _ = writeln!(
        s,
        "{:<14} {:>14} {:>14} {:>12}",
        "pe_set",
        pe(rs),
        pe(gf),
        ratio(pes(gf), pes(rs))
    );
    for (k, x, y) in [
        ("cycles", a.cycles, b.cycles),
        ("busy_cycles", a.busy_cycles, b.busy_cycles),
        ("macs", a.macs, b.macs),
        ("zero_macs", a.zero_macs, b.zero_macs),
    ] {
        let _ = writeln!(
            s,
            "{k:<14} {x:>14} {y:>14} {:>12}",
            ratio(y as f64, x as f64)
        );
    }
    let _ = writeln!(
        s,
        "{:<14} {:>14} {:>14}",
        "verified", a.verified, b.verified
    );
    // The whole layer, where the arch can hold both dataflows' passes.
    let lay = |r: &PassReport| {
        r.layer_stats
            .as_ref()
            .map(|l| (l.cycles as f64, l.energy_pj.total, l.dram_bytes as f64))
    };
    match (lay(rs), lay(gf)) {
        (Some((c1, e1, d1)), Some((c2, e2, d2))) => {
            for (k, x, y) in [
                ("layer cycles", c1, c2),
                ("energy (pJ)", e1, e2),
                ("dram bytes", d1, d2),
            ] {
                let _ = writeln!(s, "{k:<14} {x:>14.0} {y:>14.0} {:>12}", ratio(y, x));
            }
        }
        _ => {
            for (name, r) in [("rs", rs), ("gflow", gf)] {
                if let Some(why) = &r.layer_refused {
                    let _ = writeln!(
                        s,
                        "layer_stats ({name}): refused: {}",
                        super::report::refusal_line(why)
                    );
                }
            }
        }
    }
    s
}

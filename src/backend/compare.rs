//! `--compare`: both dataflows on the same layer and pass, side by side.

use std::fmt::Write;

use super::compute::compute;
use super::not_included::{operator_lines, operators, NotIncluded};
use super::{passes_of, Outcome, Output, PassReport, Request};
use crate::diag::{Code, Diagnostic};
use crate::model::{Layer, NotCosted};
use crate::options::{Dataflow, Format, PassKind};

/// One layer and pass under both dataflows; a side the layer cannot run
/// with holds the diagnostic that says why.
struct Row {
    layer: String,
    pass: PassKind,
    rs: Result<PassReport, Diagnostic>,
    gflow: Result<PassReport, Diagnostic>,
}

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
            for row in operators(not_costed).iter().filter_map(NotIncluded::csv_row) {
                csv.push_str(&row);
                csv.push('\n');
            }
            csv
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
            let t = totals(&rows, not_costed);
            serde_json::to_string_pretty(&serde_json::json!({ "schema_version": crate::schema::SCHEMA_VERSION, "rows": v, "totals": t }))
                .unwrap_or_default()
                + "\n"
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
        }).collect::<Vec<_>>().join("\n") + &totals_text(&totals(&rows, not_costed)),
    };
    // The figures show the passes the two dataflows differ on.
    let reports = rows
        .into_iter()
        .filter(|r| r.pass != PassKind::Forward)
        .flat_map(|r| [r.rs, r.gflow])
        .filter_map(Result::ok)
        .collect();
    Ok(Output {
        text,
        files: Vec::new(),
        refusals,
        reports,
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
    if rs.pass == PassKind::Forward {
        let _ = writeln!(
            s,
            "layer {} on arch {}: pass Forward, row-stationary on both sides (Grad-Flow maps only the gradients)",
            rs.layer, rs.arch
        );
    } else {
        let _ = writeln!(
            s,
            "layer {} on arch {}: pass {:?}, row-stationary vs Grad-Flow ({})",
            rs.layer,
            rs.arch,
            rs.pass,
            match gf.gflow_fallback {
                Some(_) => "not mapped".to_string(),
                None => format!("group {}", gf.gflow_group),
            }
        );
    }
    if let Some(why) = &gf.gflow_fallback {
        let _ = writeln!(
            s,
            "grad-flow runs this pass row-stationary ({}): {}",
            why.code, why.message
        );
    }
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
        r.layer_stats.as_ref().map(|l| {
            (
                l.cycles as f64,
                l.energy_pj.total,
                l.dram_bytes as f64,
                l.utilisation,
            )
        })
    };
    match (lay(rs), lay(gf)) {
        (Some((c1, e1, d1, u1)), Some((c2, e2, d2, u2))) => {
            for (k, x, y) in [
                ("layer cycles", c1, c2),
                ("energy (pJ)", e1, e2),
                ("dram bytes", d1, d2),
            ] {
                let _ = writeln!(s, "{k:<14} {x:>14.0} {y:>14.0} {:>12}", ratio(y, x));
            }
            let _ = writeln!(s, "{:<14} {u1:>14.4} {u2:>14.4}", "utilisation");
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

/// One dataflow's sums over the layer-passes both sides can cost.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
struct Side {
    cycles: u64,
    energy_pj: f64,
    dram_bytes: u64,
    necessary_macs: u64,
    mac_slots_offered: u64,
    /// necessary_macs / mac_slots_offered over the whole step.
    utilisation: f64,
}

/// The whole request (a training step with `--pass all`) under each
/// dataflow, and what is not in it.
#[derive(Debug, Default, serde::Serialize)]
struct Totals {
    rs: Side,
    gflow: Side,
    /// gflow / rs.
    cycles_ratio: f64,
    energy_ratio: f64,
    dram_ratio: f64,
    not_included: Vec<NotIncluded>,
}

/// Why a row has no whole-layer figures on one side or the other.
fn missing_why(r: &Row) -> String {
    [&r.rs, &r.gflow]
        .into_iter()
        .find_map(|side| match side {
            Err(d) => Some(super::report::refusal_line(d)),
            Ok(p) => p.layer_refused.as_ref().map(super::report::refusal_line),
        })
        .unwrap_or_default()
}

fn totals(rows: &[Row], not_costed: &[NotCosted]) -> Totals {
    let mut t = Totals::default();
    let add = |s: &mut Side, l: &crate::cost::layer::LayerStats| {
        s.cycles += l.cycles;
        s.energy_pj += l.energy_pj.total;
        s.dram_bytes += l.dram_bytes;
        s.necessary_macs += l.necessary_macs;
        s.mac_slots_offered += l.mac_slots_offered;
    };
    for r in rows {
        let both = match (&r.rs, &r.gflow) {
            (Ok(a), Ok(b)) => a.layer_stats.as_ref().zip(b.layer_stats.as_ref()),
            _ => None,
        };
        match both {
            Some((a, b)) => {
                add(&mut t.rs, a);
                add(&mut t.gflow, b);
            }
            None => t
                .not_included
                .push(NotIncluded::pass(&r.layer, r.pass, missing_why(r))),
        }
    }
    t.not_included.extend(operators(not_costed));
    for s in [&mut t.rs, &mut t.gflow] {
        s.utilisation = if s.mac_slots_offered > 0 {
            s.necessary_macs as f64 / s.mac_slots_offered as f64
        } else {
            0.0
        };
    }
    let r = |a: f64, b: f64| if a > 0.0 { b / a } else { 0.0 };
    t.cycles_ratio = r(t.rs.cycles as f64, t.gflow.cycles as f64);
    t.energy_ratio = r(t.rs.energy_pj, t.gflow.energy_pj);
    t.dram_ratio = r(t.rs.dram_bytes as f64, t.gflow.dram_bytes as f64);
    t
}

fn totals_text(t: &Totals) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\ntotal (every layer-pass both dataflows can cost; forward is row-stationary on both sides)"
    );
    let _ = writeln!(
        s,
        "{:<14} {:>14} {:>14} {:>12}",
        "", "rs", "gflow", "gflow/rs"
    );
    for (k, x, y) in [
        ("layer cycles", t.rs.cycles as f64, t.gflow.cycles as f64),
        ("energy (pJ)", t.rs.energy_pj, t.gflow.energy_pj),
        (
            "dram bytes",
            t.rs.dram_bytes as f64,
            t.gflow.dram_bytes as f64,
        ),
    ] {
        let _ = writeln!(s, "{k:<14} {x:>14.0} {y:>14.0} {:>12}", ratio(y, x));
    }
    let _ = writeln!(
        s,
        "{:<14} {:>14.4} {:>14.4}",
        "utilisation", t.rs.utilisation, t.gflow.utilisation
    );
    let passes: Vec<String> = t
        .not_included
        .iter()
        .filter_map(|i| match i {
            NotIncluded::Pass { layer, pass, .. } => Some(format!("{layer} {pass}")),
            NotIncluded::Operator { .. } => None,
        })
        .collect();
    if !passes.is_empty() {
        let _ = writeln!(s, "not in the total: {}", passes.join(", "));
    }
    s.push_str(&operator_lines(&t.not_included));
    s
}

//! `--compare`: both dataflows on the same layer and pass, side by side.

use super::compute::compute;
use super::not_included::{operators, NotIncluded};
use super::{passes_of, Outcome, Output, PassReport, Request};
use crate::diag::{Code, Diagnostic};
use crate::model::{Layer, NotCosted};
use crate::options::{Dataflow, Format, PassKind};

/// One layer and pass under both dataflows; a side the layer cannot run
/// with holds the diagnostic that says why.
pub(super) struct Row {
    pub(super) layer: String,
    pub(super) pass: PassKind,
    pub(super) rs: Result<PassReport, Diagnostic>,
    pub(super) gflow: Result<PassReport, Diagnostic>,
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

/// One dataflow's sums over the layer-passes both sides can cost.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub(super) struct Side {
    pub(super) cycles: u64,
    /// `simulation`, `estimate`, or `mixed` when the summed layer-passes'
    /// cycles come from both.
    pub(super) cycles_from: &'static str,
    /// Of the summed layer-passes, how many were simulated.
    pub(super) simulated: u64,
    pub(super) energy_pj: f64,
    pub(super) dram_bytes: u64,
    pub(super) necessary_macs: u64,
    pub(super) mac_slots_offered: u64,
    /// necessary_macs / mac_slots_offered over the whole step.
    pub(super) utilisation: f64,
}

/// The whole request (a training step with `--pass all`) under each
/// dataflow, and what is not in it.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct Totals {
    pub(super) rs: Side,
    pub(super) gflow: Side,
    /// How many layer-passes the sums hold.
    pub(super) layer_passes: u64,
    /// gflow / rs; null where the rs sum is zero (nothing to divide by).
    pub(super) cycles_ratio: Option<f64>,
    pub(super) energy_ratio: Option<f64>,
    pub(super) dram_ratio: Option<f64>,
    pub(super) not_included: Vec<NotIncluded>,
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

pub(super) fn totals(rows: &[Row], not_costed: &[NotCosted]) -> Totals {
    let mut t = Totals::default();
    let add = |s: &mut Side, l: &crate::cost::layer::LayerStats| {
        s.cycles += l.cycles;
        s.energy_pj += l.energy_pj.total;
        s.dram_bytes += l.dram_bytes;
        s.necessary_macs += l.necessary_macs;
        s.mac_slots_offered += l.mac_slots_offered;
        s.simulated += u64::from(l.cycles_from == "simulation");
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
                t.layer_passes += 1;
            }
            None => t
                .not_included
                .push(NotIncluded::pass(&r.layer, r.pass, missing_why(r))),
        }
    }
    t.not_included.extend(operators(not_costed));
    for s in [&mut t.rs, &mut t.gflow] {
        s.cycles_from = match s.simulated {
            _ if t.layer_passes == 0 => "none",
            0 => "estimate",
            n if n == t.layer_passes => "simulation",
            _ => "mixed",
        };
        s.utilisation = if s.mac_slots_offered > 0 {
            s.necessary_macs as f64 / s.mac_slots_offered as f64
        } else {
            0.0
        };
    }
    let r = |a: f64, b: f64| (a > 0.0).then(|| b / a);
    t.cycles_ratio = r(t.rs.cycles as f64, t.gflow.cycles as f64);
    t.energy_ratio = r(t.rs.energy_pj, t.gflow.energy_pj);
    t.dram_ratio = r(t.rs.dram_bytes as f64, t.gflow.dram_bytes as f64);
    t
}

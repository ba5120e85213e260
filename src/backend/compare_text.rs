//! `--compare`'s text: one line per layer-pass with each dataflow's
//! whole-layer cycles (and where they come from), energy, DRAM bytes and
//! utilisation, the ratios to rs where both were costed, then the totals.
//! The per-pass detail (`pass_stats`, the PE set) is in the single-dataflow
//! report.

use std::fmt::Write;

use super::not_included::{operator_lines, NotIncluded};

use super::compare_totals::SIDES;
use super::compare_totals::{Row, Side, Totals};
use super::PassReport;
use crate::cost::layer::LayerStats;
use crate::diag::Diagnostic;
use crate::options::{dataflow_name, Dataflow, PassKind};

/// The header: each side's four figures (Grad-Flow's grouping after its
/// own, auto's choice after its own), then each side's ratios to rs.
fn header() -> Vec<String> {
    let mut h = vec!["layer".to_string(), "pass".to_string()];
    for d in SIDES {
        let n = dataflow_name(d);
        h.extend(["cycles", "energy_pj", "dram_bytes", "utilisation"].map(|f| format!("{n} {f}")));
        match d {
            Dataflow::Gflow => h.push("gflow_group".into()),
            Dataflow::Auto => h.push("auto chose".into()),
            _ => {}
        }
    }
    for d in &SIDES[1..] {
        let n = dataflow_name(*d);
        h.push(format!("{n}/rs cycles"));
        h.push(format!("{n}/rs energy"));
    }
    h
}

/// `sim` or `est`: where a side's cycles come from (`cycles_from`).
fn from_tag(cycles_from: &str) -> &'static str {
    match cycles_from {
        "simulation" => "sim",
        "estimate" => "est",
        _ => "mixed",
    }
}

/// A ratio only where both figures were computed and the divisor is not 0.
fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if a > 0.0 => format!("{:.3}", b / a),
        _ => "-".to_string(),
    }
}

/// The four cells of one side, and its figures for the ratios.
fn side_cells(l: Option<&LayerStats>) -> ([String; 4], [Option<f64>; 3]) {
    match l {
        Some(l) => (
            [
                format!("{} {}", l.cycles, from_tag(l.cycles_from)),
                format!("{:.0}", l.energy_pj.total),
                l.dram_bytes.to_string(),
                format!("{:.4}", l.utilisation),
            ],
            [
                Some(l.cycles as f64),
                Some(l.energy_pj.total),
                Some(l.dram_bytes as f64),
            ],
        ),
        None => (
            ["refused".into(), "-".into(), "-".into(), "-".into()],
            [None; 3],
        ),
    }
}

fn group_cell(pass: PassKind, gf: &Result<PassReport, Diagnostic>) -> String {
    match gf {
        _ if pass == PassKind::Forward => "rs".to_string(),
        Ok(r) if r.gflow_fallback.is_some() => "rs".to_string(),
        Ok(r) => r.gflow_group.to_string(),
        Err(_) => "-".to_string(),
    }
}

fn chose_cell(pass: PassKind, auto: &Result<PassReport, Diagnostic>) -> String {
    match auto {
        _ if pass == PassKind::Forward => "rs".to_string(),
        Ok(r) => r
            .auto
            .as_ref()
            .map_or("-".to_string(), |a| dataflow_name(a.chosen).to_string()),
        Err(_) => "-".to_string(),
    }
}

fn stats(s: &Result<PassReport, Diagnostic>) -> Option<&LayerStats> {
    s.as_ref().ok()?.layer_stats.as_ref()
}

fn row_cells(r: &Row) -> Vec<String> {
    let mut c = vec![r.layer.clone(), format!("{:?}", r.pass).to_lowercase()];
    let mut figures = Vec::new();
    for (d, side) in SIDES.iter().zip(&r.sides) {
        let (cells, x) = side_cells(stats(side));
        c.extend(cells);
        figures.push(x);
        match d {
            Dataflow::Gflow => c.push(group_cell(r.pass, side)),
            Dataflow::Auto => c.push(chose_cell(r.pass, side)),
            _ => {}
        }
    }
    for x in &figures[1..] {
        c.push(ratio(figures[0][0], x[0]));
        c.push(ratio(figures[0][1], x[1]));
    }
    c
}

fn total_cells(t: &Totals) -> Vec<String> {
    let side = |s: &Side| {
        [
            format!("{} {}", s.cycles, from_tag(s.cycles_from)),
            format!("{:.0}", s.energy_pj),
            s.dram_bytes.to_string(),
            format!("{:.4}", s.utilisation),
        ]
    };
    let r = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    let mut c = vec!["total".to_string(), String::new()];
    for (i, d) in SIDES.iter().enumerate() {
        c.extend(side(t.side(i)));
        if matches!(d, Dataflow::Gflow | Dataflow::Auto) {
            c.push(String::new());
        }
    }
    for d in &SIDES[1..] {
        let x = t.ratios.get(dataflow_name(*d)).copied().unwrap_or_default();
        c.extend([r(x.cycles), r(x.energy)]);
    }
    c
}

/// Why a side has no whole-layer figures, one line each.
fn refusal_lines(rows: &[Row]) -> Vec<String> {
    let mut v = Vec::new();
    for r in rows {
        for (d, side) in SIDES.iter().zip(&r.sides) {
            // The forward pass is one run (row-stationary) on every side;
            // auto repeats a refusal of the side it chose.
            if (r.pass == PassKind::Forward && *d != Dataflow::Rs) || *d == Dataflow::Auto {
                continue;
            }
            let why = match side {
                Ok(p) => p.layer_refused.as_ref().map(super::report::refusal_line),
                Err(d) => Some(format!("error[{}]: {}", d.code, d.message)),
            };
            if let Some(why) = why {
                let pass = format!("{:?}", r.pass).to_lowercase();
                v.push(format!(
                    "{} {pass} {}: refused: {why}",
                    r.layer,
                    dataflow_name(*d)
                ));
            }
        }
    }
    v
}

pub(super) fn render(rows: &[Row], t: &Totals) -> String {
    let arch = rows
        .iter()
        .flat_map(|r| r.sides.iter())
        .find_map(|s| s.as_ref().ok().map(|p| p.arch.clone()))
        .unwrap_or_default();
    let head = header();
    let columns = head.len();
    let mut table: Vec<Vec<String>> = vec![head];
    table.extend(rows.iter().map(row_cells));
    table.push(total_cells(t));
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "--compare on arch {arch}: each layer-pass's whole layer (layer_stats) under row-stationary (rs), Grad-Flow (gflow), rs-split (its stride-1 phases) and auto (the cheapest of the three under --objective)"
    );
    let _ = writeln!(
        s,
        "cycles_from: sim = simulated cycle by cycle, est = the analytic estimate, mixed = a sum of both; forward is row-stationary on every side (gflow_group rs), as is a gradient Grad-Flow does not map or rs-split does not decompose; energy in pJ"
    );
    let last = table.len() - 1;
    for (k, r) in table.iter().enumerate() {
        if k == last {
            s.push('\n');
        }
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| {
                // Names left-aligned, figures right-aligned.
                if i < 2 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        let _ = writeln!(s, "{}", line.join("  ").trim_end());
    }
    let _ = writeln!(
        s,
        "(total: the {} layer-passes every dataflow can cost; their ideal_cycles {}: {})",
        t.layer_passes,
        t.ideal_cycles,
        SIDES
            .iter()
            .enumerate()
            .map(|(i, d)| format!(
                "{} {:.3}x",
                dataflow_name(*d),
                t.side(i).cycles as f64 / t.ideal_cycles.max(1) as f64
            ))
            .collect::<Vec<_>>()
            .join(", ")
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
    for l in refusal_lines(rows) {
        let _ = writeln!(s, "{l}");
    }
    s
}

//! `--compare`'s text: one line per layer-pass with each dataflow's
//! whole-layer cycles (and where they come from), energy, DRAM bytes and
//! utilisation, the ratios where both sides were costed, then the totals.
//! The per-pass detail (`pass_stats`, the PE set) is in the single-dataflow
//! report.

use std::fmt::Write;

use super::not_included::{operator_lines, NotIncluded};

use super::compare_totals::{Row, Side, Totals};
use super::PassReport;
use crate::cost::layer::LayerStats;
use crate::diag::Diagnostic;
use crate::options::PassKind;

const HEADER: [&str; 14] = [
    "layer",
    "pass",
    "rs cycles",
    "rs energy_pj",
    "rs dram_bytes",
    "rs utilisation",
    "gflow_group",
    "gflow cycles",
    "gflow energy_pj",
    "gflow dram_bytes",
    "gflow utilisation",
    "gflow/rs cycles",
    "gflow/rs energy",
    "gflow/rs dram",
];

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

fn stats(s: &Result<PassReport, Diagnostic>) -> Option<&LayerStats> {
    s.as_ref().ok()?.layer_stats.as_ref()
}

fn row_cells(r: &Row) -> Vec<String> {
    let (a, x) = side_cells(stats(&r.rs));
    let (b, y) = side_cells(stats(&r.gflow));
    let mut c = vec![r.layer.clone(), format!("{:?}", r.pass).to_lowercase()];
    c.extend(a);
    c.push(group_cell(r.pass, &r.gflow));
    c.extend(b);
    c.extend((0..3).map(|i| ratio(x[i], y[i])));
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
    c.extend(side(&t.rs));
    c.push(String::new());
    c.extend(side(&t.gflow));
    c.extend([r(t.cycles_ratio), r(t.energy_ratio), r(t.dram_ratio)]);
    c
}

/// Why a side has no whole-layer figures, one line each.
fn refusal_lines(rows: &[Row]) -> Vec<String> {
    let mut v = Vec::new();
    for r in rows {
        for (name, side) in [("rs", &r.rs), ("gflow", &r.gflow)] {
            if r.pass == PassKind::Forward && name == "gflow" {
                continue;
            }
            let why = match side {
                Ok(p) => p.layer_refused.as_ref().map(super::report::refusal_line),
                Err(d) => Some(format!("error[{}]: {}", d.code, d.message)),
            };
            if let Some(why) = why {
                let pass = format!("{:?}", r.pass).to_lowercase();
                v.push(format!("{} {pass} {name}: refused: {why}", r.layer));
            }
        }
    }
    v
}

pub(super) fn render(rows: &[Row], t: &Totals) -> String {
    let arch = rows
        .iter()
        .flat_map(|r| [&r.rs, &r.gflow])
        .find_map(|s| s.as_ref().ok().map(|p| p.arch.clone()))
        .unwrap_or_default();
    let mut table: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    table.extend(rows.iter().map(row_cells));
    table.push(total_cells(t));
    let widths: Vec<usize> = (0..HEADER.len())
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
        "--compare on arch {arch}: each layer-pass's whole layer (layer_stats) under row-stationary (rs) and Grad-Flow (gflow)"
    );
    let _ = writeln!(
        s,
        "cycles_from: sim = simulated cycle by cycle, est = the analytic estimate, mixed = a sum of both; forward is row-stationary on both sides (gflow_group rs), as is a gradient Grad-Flow does not map; energy in pJ"
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
        "(total: the {} layer-passes both dataflows can cost; their ideal_cycles {}: rs {:.3}x, gflow {:.3}x of it)",
        t.layer_passes,
        t.ideal_cycles,
        t.rs.cycles as f64 / t.ideal_cycles.max(1) as f64,
        t.gflow.cycles as f64 / t.ideal_cycles.max(1) as f64
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

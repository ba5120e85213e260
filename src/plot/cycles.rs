//! `cycles.svg`: cycles per layer and pass, split by the simulation's own
//! account: the computing cycles and each `stall_cycles` cause (DRAM
//! waiting named), adding up to the layer's cycles. A layer-pass whose
//! cycles are estimated (`cycles_from = estimate`) is one grey bar: the
//! estimate's terms overlap, so no split of it adds up.

use plotters::prelude::*;

use super::bars::{stacked, Error, Series};
use super::style::{bar_label, scope, HEIGHT, WIDTH};
use crate::backend::PassReport;
use crate::cost::layer::LayerStats;

/// The meanings of the segments, bottom up.
pub const PARTS: [&str; 7] = [
    "compute",
    "stall: pass_start",
    "stall: networks",
    "stall: drain",
    "stall: glb_bank",
    "stall: dram (waiting for DRAM)",
    "estimated (not simulated)",
];

/// One layer-pass's cycles by part, in the order of `PARTS`.
pub fn parts(l: &LayerStats) -> [f64; 7] {
    if l.cycles_from != "simulation" {
        return [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, l.cycles as f64];
    }
    let s = &l.stall_cycles;
    let stalls = s.pass_start + s.networks + s.drain + s.glb_bank + s.dram;
    [
        l.cycles.saturating_sub(stalls) as f64,
        s.pass_start as f64,
        s.networks as f64,
        s.drain as f64,
        s.glb_bank as f64,
        s.dram as f64,
        0.0,
    ]
}

/// The series of `parts` over `stats`, leaving out parts that are zero
/// everywhere (so the legend names only what is drawn).
pub fn series(stats: &[&LayerStats]) -> Vec<Series> {
    let all: Vec<[f64; 7]> = stats.iter().map(|l| parts(l)).collect();
    PARTS
        .iter()
        .enumerate()
        .map(|(k, name)| Series {
            name: name.to_string(),
            values: all.iter().map(|p| p[k]).collect(),
        })
        .filter(|s| s.values.iter().any(|&v| v > 0.0))
        .collect()
}

pub fn cycles_svg(reports: &[PassReport]) -> Result<String, Error> {
    let costed: Vec<(&PassReport, &LayerStats)> = reports
        .iter()
        .filter_map(|r| r.layer_stats.as_ref().map(|l| (r, l)))
        .collect();
    let passes_differ = costed.windows(2).any(|w| w[0].0.pass != w[1].0.pass);
    let labels: Vec<String> = costed
        .iter()
        .map(|(r, _)| bar_label(&r.layer, r.pass, passes_differ))
        .collect();
    let stats: Vec<&LayerStats> = costed.iter().map(|(_, l)| *l).collect();
    let archs: Vec<&str> = costed.iter().map(|(r, _)| r.arch.as_str()).collect();
    let passes: Vec<_> = costed.iter().map(|(r, _)| r.pass).collect();
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH + 160, HEIGHT + 60)).into_drawing_area();
        root.fill(&WHITE)?;
        stacked(
            &root,
            &format!("Cycles per layer: {}", scope(&archs, &passes)),
            "cycles",
            "cycles",
            &labels,
            &series(&stats),
        )?;
        root.present()?;
    }
    Ok(svg)
}

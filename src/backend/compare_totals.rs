//! `--compare`'s rows and totals: each layer-pass under every dataflow
//! (`SIDES`), and the sums over the layer-passes every side can cost, with
//! what is not in them. Data for the renderers (`compare.rs`'s JSON,
//! `compare_text.rs`).

use std::collections::BTreeMap;

use super::not_included::{operators, NotIncluded};
use super::PassReport;
use crate::diag::Diagnostic;
use crate::model::NotCosted;
use crate::options::{dataflow_name, Dataflow, PassKind};

/// The dataflows `--compare` runs, in column order: row-stationary (the
/// base of every ratio), Grad-Flow, rs-split and auto.
pub(super) const SIDES: [Dataflow; 4] = [
    Dataflow::Rs,
    Dataflow::Gflow,
    Dataflow::RsSplit,
    Dataflow::Auto,
];

/// One layer and pass under every dataflow of [`SIDES`], in that order; a
/// side the layer cannot run with holds the diagnostic that says why.
pub(super) struct Row {
    pub(super) layer: String,
    pub(super) pass: PassKind,
    pub(super) sides: Vec<Result<PassReport, Diagnostic>>,
}

/// One dataflow's sums over the layer-passes every side can cost.
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

/// A side's sums over row-stationary's; `null` where rs's is zero.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub(super) struct Ratios {
    pub(super) cycles: Option<f64>,
    pub(super) energy: Option<f64>,
    pub(super) dram: Option<f64>,
}

/// The whole request (a training step with `--pass all`) under each
/// dataflow, and what is not in it.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct Totals {
    pub(super) rs: Side,
    pub(super) gflow: Side,
    #[serde(rename = "rs-split")]
    pub(super) rs_split: Side,
    pub(super) auto: Side,
    /// How many layer-passes the sums hold.
    pub(super) layer_passes: u64,
    /// The sum of their `ideal_cycles` (the same bound for every dataflow).
    pub(super) ideal_cycles: u64,
    /// gflow / rs; null where the rs sum is zero (nothing to divide by).
    pub(super) cycles_ratio: Option<f64>,
    pub(super) energy_ratio: Option<f64>,
    pub(super) dram_ratio: Option<f64>,
    /// Every side's sums over rs's, by dataflow name.
    pub(super) ratios: BTreeMap<&'static str, Ratios>,
    pub(super) not_included: Vec<NotIncluded>,
}

impl Totals {
    /// The sums of side `i` of [`SIDES`].
    pub(super) fn side(&self, i: usize) -> &Side {
        [&self.rs, &self.gflow, &self.rs_split, &self.auto][i]
    }
    fn side_mut(&mut self, i: usize) -> &mut Side {
        [
            &mut self.rs,
            &mut self.gflow,
            &mut self.rs_split,
            &mut self.auto,
        ]
        .into_iter()
        .nth(i)
        .expect("four sides")
    }
}

/// Why a row has no whole-layer figures on some side.
fn missing_why(r: &Row) -> String {
    r.sides
        .iter()
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
        let all: Option<Vec<_>> = r
            .sides
            .iter()
            .map(|s| s.as_ref().ok().and_then(|p| p.layer_stats.as_ref()))
            .collect();
        match all {
            Some(stats) => {
                for (i, l) in stats.iter().enumerate() {
                    add(t.side_mut(i), l);
                }
                t.layer_passes += 1;
                t.ideal_cycles += stats[0].ideal_cycles;
            }
            None => t
                .not_included
                .push(NotIncluded::pass(&r.layer, r.pass, missing_why(r))),
        }
    }
    t.not_included.extend(operators(not_costed));
    let passes = t.layer_passes;
    for i in 0..SIDES.len() {
        let s = t.side_mut(i);
        s.cycles_from = match s.simulated {
            _ if passes == 0 => "none",
            0 => "estimate",
            n if n == passes => "simulation",
            _ => "mixed",
        };
        s.utilisation = if s.mac_slots_offered > 0 {
            s.necessary_macs as f64 / s.mac_slots_offered as f64
        } else {
            0.0
        };
    }
    let r = |a: f64, b: f64| (a > 0.0).then(|| b / a);
    let rs = t.rs;
    for (i, d) in SIDES.iter().enumerate().skip(1) {
        let s = *t.side(i);
        t.ratios.insert(
            dataflow_name(*d),
            Ratios {
                cycles: r(rs.cycles as f64, s.cycles as f64),
                energy: r(rs.energy_pj, s.energy_pj),
                dram: r(rs.dram_bytes as f64, s.dram_bytes as f64),
            },
        );
    }
    let g = t.ratios.get("gflow").copied().unwrap_or_default();
    t.cycles_ratio = g.cycles;
    t.energy_ratio = g.energy;
    t.dram_ratio = g.dram;
    t
}

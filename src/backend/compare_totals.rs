//! `--compare`'s rows and totals: each layer-pass under both dataflows,
//! and the sums over the layer-passes both sides can cost, with what is
//! not in them. Data for the renderers (`compare.rs`'s JSON,
//! `compare_text.rs`).

use super::not_included::{operators, NotIncluded};
use super::PassReport;
use crate::diag::Diagnostic;
use crate::model::NotCosted;
use crate::options::PassKind;

/// One layer and pass under both dataflows; a side the layer cannot run
/// with holds the diagnostic that says why.
pub(super) struct Row {
    pub(super) layer: String,
    pub(super) pass: PassKind,
    pub(super) rs: Result<PassReport, Diagnostic>,
    pub(super) gflow: Result<PassReport, Diagnostic>,
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
    /// The sum of their `ideal_cycles` (the same bound for every dataflow).
    pub(super) ideal_cycles: u64,
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
                t.ideal_cycles += a.ideal_cycles;
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

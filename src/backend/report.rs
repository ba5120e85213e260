//! The report of one layer and pass: what `--emit stats` prints.

use serde::Serialize;

use crate::cost::layer::{layer_stats, layer_text, LayerStats};
use crate::diag::Diagnostic;
use crate::options::Dataflow;
use crate::pipeline::{compile_physical, simulate, PassOutcome};
use crate::stats::PhysicalStats;

fn refusal(d: &Diagnostic) -> String {
    format!(
        "error[{}]: {}{}",
        d.code,
        d.message,
        d.help
            .as_ref()
            .map(|h| format!(" (help: {h})"))
            .unwrap_or_default()
    )
}

/// The physical pass of a row-stationary run (same layer, pass and data).
fn physical(o: &PassOutcome) -> (Option<PhysicalStats>, Option<Diagnostic>) {
    let m = &o.module;
    if m.dataflow != Dataflow::Rs {
        return (None, None);
    }
    let run = compile_physical(&m.layer, &m.arch, m.pass).and_then(|p| simulate(p, o.seed));
    match run {
        Ok(p) if !p.stats.verified => (
            None,
            Some(
                Diagnostic::error(
                    "E0911",
                    format!(
                        "outputs differ from the reference: {:?}",
                        p.stats.mismatches
                    ),
                )
                .with_primary(m.layer.span, "this layer"),
            ),
        ),
        Ok(p) => (PhysicalStats::new(&p), None),
        Err(d) => (None, Some(d)),
    }
}
use crate::stats::{pass_text, pe_table, PassStats, PeRow, PeSet};

/// One pass of one layer, as the JSON of language-v1 §4.
#[derive(Debug, Clone, Serialize)]
pub struct PassReport {
    pub layer: String,
    pub arch: String,
    pub pass: crate::options::PassKind,
    pub dataflow: crate::options::Dataflow,
    pub gflow_group: i64,
    pub pe_set: PeSet,
    pub pass_stats: PassStats,
    /// The whole layer on the physical array; `None` when the arch cannot
    /// hold the layer's processing passes (then `layer_refused` says why).
    pub layer_stats: Option<LayerStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_refused: Option<String>,
    /// Row-stationary only: one physical pass simulated on the arch's array
    /// with streamed scratchpads; `None` with `physical_refused` saying why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_stats: Option<PhysicalStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_refused: Option<String>,
    pub pes: Vec<PeRow>,
    /// The diagnostics behind `layer_refused` and `physical_refused`: the
    /// driver prints them on stderr and exits 1.
    #[serde(skip)]
    pub refusals: Vec<Diagnostic>,
}

/// All passes run for one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub layer: String,
    pub passes: Vec<PassReport>,
}

impl PassReport {
    /// The report of a simulated pass, with the whole-layer figures.
    pub fn new(o: &PassOutcome) -> PassReport {
        let mut refusals = Vec::new();
        let (layer_stats, layer_refused) = match layer_stats(o) {
            Ok(s) => (Some(s), None),
            Err(d) => {
                let why = refusal(&d);
                refusals.push(d);
                (None, Some(why))
            }
        };
        let (physical_stats, physical_refused) = match physical(o) {
            (s, Some(d)) => {
                let why = refusal(&d);
                // A physical pass the arch's array cannot hold (E0207) is
                // a limit of that one-pass model, noted in the report; the
                // figures asked for are all there. Anything else is an error.
                if d.code != "E0207" {
                    refusals.push(d);
                }
                (s, Some(why))
            }
            (s, None) => (s, None),
        };
        PassReport {
            layer_stats,
            layer_refused,
            physical_stats,
            physical_refused,
            refusals,
            ..PassReport::pass_only(o)
        }
    }

    /// The report without the whole-layer figures.
    pub fn pass_only(o: &PassOutcome) -> PassReport {
        let m = &o.module;
        let set = m.set.as_ref();
        PassReport {
            layer: m.layer.name.clone(),
            arch: m.arch.name.clone(),
            pass: m.pass,
            dataflow: m.dataflow,
            gflow_group: m.gflow_group,
            pe_set: PeSet {
                rows: set.map_or(0, |s| s.rows),
                cols: set.map_or(0, |s| s.cols),
            },
            pass_stats: o.stats.clone(),
            layer_stats: None,
            layer_refused: None,
            physical_stats: None,
            physical_refused: None,
            pes: o.pes.clone(),
            refusals: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        let mut s = format!(
            "layer {} on arch {}: pass {:?}, dataflow {:?}{}\npe_set: {} x {}\n",
            self.layer,
            self.arch,
            self.pass,
            self.dataflow,
            if self.dataflow == crate::options::Dataflow::Gflow {
                format!(", gflow_group {}", self.gflow_group)
            } else {
                String::new()
            },
            self.pe_set.rows,
            self.pe_set.cols
        );
        s.push_str(&pass_text(&self.pass_stats));
        match (&self.layer_stats, &self.layer_refused) {
            (Some(l), _) => s.push_str(&layer_text(l)),
            (None, Some(why)) => s.push_str(&format!("layer_stats: refused: {why}\n")),
            (None, None) => {}
        }
        match (&self.physical_stats, &self.physical_refused) {
            (Some(p), _) => s.push_str(&p.text()),
            (None, Some(why)) => s.push_str(&format!("physical_stats: refused: {why}\n")),
            (None, None) => {}
        }
        s.push_str("per-PE:\n");
        s.push_str(&pe_table(&self.pes));
        s
    }
}

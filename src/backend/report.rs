//! The report of one layer and pass: what `--emit stats` prints.

use serde::Serialize;

use super::compute::PassResult;
use crate::cost::layer::{layer_text, LayerStats};
use crate::diag::{Code, Diagnostic};
use crate::sim::PassOutcome;
use crate::stats::PhysicalStats;

/// A refusal as one line: `error[CODE]: message (help: ...)`.
pub(crate) fn refusal_line(d: &Diagnostic) -> String {
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

/// Refusals stay diagnostics until rendered; JSON shows their one-line form.
fn refusal_json<S: serde::Serializer>(d: &Option<Diagnostic>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&refusal_line(d)),
        None => s.serialize_none(),
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
    /// `--gflow-group auto`: the groupings tried (the best is `gflow_group`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gflow_group_tried: Option<Vec<i64>>,
    /// Grad-Flow was asked for a pass it does not map: the figures are
    /// row-stationary's (`dataflow` says so) and this says why.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "refusal_json"
    )]
    pub gflow_fallback: Option<Diagnostic>,
    /// `--dataflow rs-split`: the phases the pass ran as, or why it ran
    /// whole (row-stationary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rs_split: Option<super::dataflow_reports::SplitReport>,
    /// `--dataflow auto`: the dataflow chosen (`layer_stats.dataflow`) and
    /// every candidate's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto: Option<super::dataflow_reports::AutoReport>,
    pub pe_set: PeSet,
    pub pass_stats: PassStats,
    /// The whole layer on the physical array; `None` when the arch cannot
    /// hold the layer's processing passes (then `layer_refused` says why).
    pub layer_stats: Option<LayerStats>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "refusal_json"
    )]
    pub layer_refused: Option<Diagnostic>,
    /// Row-stationary only: one physical pass simulated on the arch's array
    /// with streamed scratchpads; `None` with `physical_refused` saying why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_stats: Option<PhysicalStats>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "refusal_json"
    )]
    pub physical_refused: Option<Diagnostic>,
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
    /// The report of a computed pass: reads the results, computes nothing.
    pub(crate) fn new(r: &PassResult) -> PassReport {
        let mut refusals = Vec::new();
        let (layer_stats, layer_refused) = split(&r.layer);
        refusals.extend(layer_refused.clone());
        let (physical_stats, physical_refused) = match &r.physical {
            None => (None, None),
            Some(Ok(p)) => (Some(p.clone()), None),
            Some(Err(d)) => {
                // A physical pass the arch's array cannot hold (E0207) is
                // a limit of that one-pass model, noted in the report; the
                // figures asked for are all there. Anything else is an error.
                if d.code != Code::PhysicalNoFit {
                    refusals.push(d.clone());
                }
                (None, Some(d.clone()))
            }
        };
        let base = PassReport::pass_only(&r.outcome);
        PassReport {
            dataflow: r.reported_as.unwrap_or(base.dataflow),
            gflow_group_tried: r.gflow_group_tried.clone(),
            gflow_fallback: r.gflow_fallback.clone(),
            rs_split: r.split.clone(),
            auto: r.auto.clone(),
            layer_stats,
            layer_refused,
            physical_stats,
            physical_refused,
            refusals,
            ..base
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
            gflow_group: m.gflow_group(),
            gflow_group_tried: None,
            gflow_fallback: None,
            rs_split: None,
            auto: None,
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
            "layer {} on arch {}: pass {}, dataflow {}{}\npe_set: {} x {}\n",
            self.layer,
            self.arch,
            format!("{:?}", self.pass).to_lowercase(),
            crate::options::dataflow_name(self.dataflow),
            if self.dataflow == crate::options::Dataflow::Gflow {
                match &self.gflow_group_tried {
                    Some(t) => format!(
                        ", gflow_group {} (auto, of {})",
                        self.gflow_group,
                        t.iter()
                            .map(|g| g.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => format!(", gflow_group {}", self.gflow_group),
                }
            } else {
                String::new()
            },
            self.pe_set.rows,
            self.pe_set.cols
        );
        if let Some(why) = &self.gflow_fallback {
            s.push_str(&format!(
                "grad-flow: this pass runs row-stationary ({}): {}\n",
                why.code, why.message
            ));
        }
        s.push_str(&super::dataflow_text::split_text(self.rs_split.as_ref()));
        s.push_str(&super::dataflow_text::auto_text(self.auto.as_ref()));
        s.push_str(&pass_text(&self.pass_stats));
        match (&self.layer_stats, &self.layer_refused) {
            (Some(l), _) => s.push_str(&layer_text(l)),
            (None, Some(why)) => {
                s.push_str(&format!("layer_stats: refused: {}\n", refusal_line(why)))
            }
            (None, None) => {}
        }
        match (&self.physical_stats, &self.physical_refused) {
            (Some(p), _) => s.push_str(&p.text()),
            (None, Some(why)) => {
                s.push_str(&format!("physical_stats: refused: {}\n", refusal_line(why)))
            }
            (None, None) => {}
        }
        s.push_str("per-PE:\n");
        s.push_str(&pe_table(&self.pes));
        s
    }
}

fn split<T: Clone>(r: &Result<T, Diagnostic>) -> (Option<T>, Option<Diagnostic>) {
    match r {
        Ok(v) => (Some(v.clone()), None),
        Err(d) => (None, Some(d.clone())),
    }
}

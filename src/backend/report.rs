//! The report of one layer and pass: what `--emit stats` prints.

use serde::Serialize;

use crate::pipeline::PassOutcome;
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
    pub pes: Vec<PeRow>,
}

/// All passes run for one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub layer: String,
    pub passes: Vec<PassReport>,
}

impl PassReport {
    pub fn new(o: &PassOutcome) -> PassReport {
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
            pes: o.pes.clone(),
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
        s.push_str("per-PE:\n");
        s.push_str(&pe_table(&self.pes));
        s
    }
}

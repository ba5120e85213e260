//! What `rs-split` and `auto` report beside the whole-layer figures: the
//! phases a pass ran as, and the dataflow chosen with every candidate.
//! Data only; `rs_split.rs` and `auto_choice.rs` fill them,
//! `dataflow_text.rs` and the JSON render them.

use serde::Serialize;

use crate::cost::layer::LayerStats;
use crate::ir::phases::Phase;
use crate::model::Hw;
use crate::options::{Dataflow, Objective, PassKind};

/// How `rs-split` ran a layer-pass.
#[derive(Debug, Clone, Serialize)]
pub struct SplitReport {
    /// `separate` (one stride-1 layer per residue), `fused` (one layer
    /// for all residues) or `whole` (nothing decomposed: the pass ran
    /// row-stationary, `whole` says why).
    pub form: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whole: Option<&'static str>,
    /// The phases of the form chosen, as they ran.
    pub phases: Vec<PhaseReport>,
    /// Each form tried and its score under the objective (the lowest is
    /// chosen; ties to `separate`).
    pub forms: Vec<FormScore>,
}

/// One form's whole-layer figures, or why it has none.
#[derive(Debug, Clone, Serialize)]
pub struct FormScore {
    pub form: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycles: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy_pj: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// One phase as it ran: the stride-1 layer and its whole-layer figures.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub layer: String,
    /// The residue (a, b) of the layer's rows and columns it covers
    /// (absent for the fused form: all of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residue: Option<Hw>,
    pub pass: PassKind,
    pub ifmap: Hw,
    pub channels: u64,
    pub filter: Hw,
    pub filters: u64,
    pub pad: Hw,
    pub cycles: u64,
    pub cycles_from: &'static str,
    pub mapping: String,
    pub utilisation: f64,
    pub energy_pj: f64,
    pub dram_bytes: u64,
    pub verified: bool,
    pub verify: &'static str,
}

impl PhaseReport {
    pub(super) fn of(p: &Phase, s: &LayerStats) -> PhaseReport {
        PhaseReport {
            layer: p.layer.name.clone(),
            residue: p.residue,
            pass: p.pass,
            ifmap: p.layer.ifmap,
            channels: p.layer.channels,
            filter: p.layer.filter,
            filters: p.layer.filters,
            pad: p.layer.pad,
            cycles: s.cycles,
            cycles_from: s.cycles_from,
            mapping: s.mapping_text(),
            utilisation: s.utilisation,
            energy_pj: s.energy_pj.total,
            dram_bytes: s.dram_bytes,
            verified: s.verified,
            verify: s.verify,
        }
    }
}

/// The choice and what it was chosen from.
#[derive(Debug, Clone, Serialize)]
pub struct AutoReport {
    pub chosen: Dataflow,
    pub objective: Objective,
    pub candidates: Vec<Candidate>,
}

/// One dataflow tried: its whole-layer figures and score, or why it has
/// none (refused, or the same run as another candidate).
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub dataflow: Dataflow,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycles: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycles_from: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy_pj: Option<f64>,
    /// What the objective makes of the figures (lower is better).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

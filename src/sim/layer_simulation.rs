//! What the simulation of a whole layer counted, and why a layer was not
//! simulated.

use serde::Serialize;

use super::glb_banks::BankTrace;
use super::{Mismatch, PhysicalStats};
use crate::ir::{Module, PassShape, PassStep};

/// What the simulation of a whole layer counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerSimulation {
    /// `sample`: each distinct processing pass simulated once; `full`:
    /// every pass with the layer's values.
    pub mode: &'static str,
    /// Cycles of the layer: its processing passes one after another.
    pub cycles: u64,
    /// Of them: waiting for the first data of a pass (its start), windows
    /// stretched beyond their minimum because a network could not keep up,
    /// and outputs draining after the last window.
    pub start_cycles: u64,
    pub stretch_cycles: u64,
    pub drain_cycles: u64,
    pub processing_passes: u64,
    pub passes_simulated: u64,
    pub distinct_passes: u64,
    /// Largest number of PEs a pass used.
    pub active_pes: u64,
    pub macs: u64,
    pub zero_macs: u64,
    /// Elements the global buffer sent on each network (one per
    /// multicast) and received from the array (psums and outputs).
    pub glb_ifmap_reads: u64,
    pub glb_filter_reads: u64,
    pub glb_psum_reads: u64,
    /// Partial sums written to the global buffer for a later pass, and
    /// the layer's outputs (written by the last pass of each output).
    pub glb_psum_writes: u64,
    pub glb_ofmap_writes: u64,
    /// Scratchpad entries the ifmap and filter networks wrote (a multicast
    /// to k PEs counts k).
    pub ifmap_arrivals: u64,
    pub filter_arrivals: u64,
    /// Inserted zeros PEs wrote themselves.
    pub local_fills: u64,
    /// Scratchpad accesses, additions and psums moved up a column (the
    /// local psum network), summed over every PE of every pass.
    pub rf: RfCounts,
    pub adds: u64,
    pub psum_hops: u64,
    /// Necessary MACs (inserted zeros left out) of each PE of the physical
    /// array over the whole layer, row by row (`array` rows of its columns):
    /// each distinct pass's per-PE counts times the passes like it. Over
    /// `layer_stats.cycles` they are the per-PE utilisation (`--plot`).
    /// Not in the JSON: pretty-printed, one array would add a line per PE
    /// to every layer-pass.
    #[serde(skip)]
    pub pe_necessary_macs: Vec<Vec<u64>>,
    pub verified: bool,
    /// Output elements checked: every output of the layer in `full`, each
    /// simulated pass's outputs in `sample`.
    pub verified_outputs: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
    /// The passes in running order, for the memory timeline (`None` when
    /// the layer has more than `MAX_TIMELINE_PASSES`).
    #[serde(skip)]
    pub steps: Option<Vec<PassStep>>,
    /// The global-buffer accesses of each distinct pass (`PassStep::kind`
    /// indexes them), for the bank stalls of each bank split.
    #[serde(skip)]
    pub bank_traces: Vec<BankTrace>,
    /// The layer's first processing pass as it ran (`physical_stats`).
    #[serde(skip)]
    pub first_pass: Option<PhysicalStats>,
}

/// Reads and writes of each scratchpad.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RfCounts {
    pub ifmap_reads: u64,
    pub ifmap_writes: u64,
    pub filter_reads: u64,
    pub filter_writes: u64,
    pub psum_reads: u64,
    pub psum_writes: u64,
}

/// Why a layer is not simulated whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotSimulated {
    #[error("{0}")]
    Unsupported(String),
    #[error("processing pass {pass}: {what}")]
    NoFit { pass: String, what: String },
    #[error("processing pass {pass}: simulation stopped: {what}")]
    Broken { pass: String, what: String },
    #[error("{0}")]
    TooLarge(String),
}

/// A pass whose simulation broke a hardware invariant.
pub(super) fn broken(s: &PassShape, e: super::SimError) -> NotSimulated {
    NotSimulated::Broken {
        pass: format!("{s:?}"),
        what: e.to_string(),
    }
}

/// A parallel job that panicked.
pub(super) fn unfinished() -> NotSimulated {
    NotSimulated::Broken {
        pass: "?".into(),
        what: "a worker did not finish".into(),
    }
}

pub(super) fn too_large() -> NotSimulated {
    NotSimulated::TooLarge("a count of the layer leaves 64 bits".into())
}

/// Elements to a global-buffer bank word (`glb_banks`).
pub(super) fn per_word(m: &Module) -> u64 {
    m.arch.glb_width_bits / m.arch.precision.max(1)
}

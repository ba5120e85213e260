//! The dataflow IR: a petgraph graph of tensors and operations (built by pass
//! selection), plus what the later passes attach to it (the mapping onto a
//! logical PE set, its allocation on the physical array, and the per-PE
//! schedule).

mod eval;
mod graph;
pub mod layer_plan;
pub mod phases;
mod print;
mod schedule;
mod verify;

pub use crate::vocab::{Delivery, DeliveryView, Net, OutKind, Src, SrcKind};
pub use eval::{eval, SrcMatrix};
pub use graph::{Graph, Node, NodeId, Op, TensorInfo, TensorRole};
pub use layer_plan::{
    fold_range, plane_src, split_src, Blocking, Convs, LayerPlan, Mapping, PassJob, PassShape,
    PassStep, MAX_TIMELINE_PASSES, PLANE_ROWS,
};
pub use print::print_module;
pub use schedule::{
    Allocation, LogicalSet, NetworkPlan, PeSchedule, Placement, Slot, StreamTiming, Word,
};
pub use verify::verify_module;

use crate::model::{Arch, Hw, Layer};
use crate::options::{Dataflow, PassKind};

/// The optional parts of a [`Module`], which passes fill in; every pass
/// declares the parts it needs and the parts it provides, and the pass
/// manager checks them (`passes::Pass`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Graph,
    Set,
    Alloc,
    Plan,
    Program,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Graph,
        Part::Set,
        Part::Alloc,
        Part::Plan,
        Part::Program,
    ];

    /// The module field holding the part.
    pub fn name(self) -> &'static str {
        match self {
            Part::Graph => "graph",
            Part::Set => "set",
            Part::Alloc => "alloc",
            Part::Plan => "plan",
            Part::Program => "program",
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything the pass pipeline knows about one request. Passes fill the
/// optional parts in order; the verifier checks what is present.
#[derive(Debug, Clone)]
pub struct Module {
    pub layer: Layer,
    pub arch: Arch,
    pub pass: PassKind,
    pub dataflow: Dataflow,
    /// Map a physical pass (strip on the array, streamed scratchpads)
    /// instead of the per-pass model.
    pub physical: bool,
    /// Set by `select`.
    pub graph: Option<Graph>,
    /// Set by the mapping pass (`rs-map` or `gflow-map`).
    pub set: Option<LogicalSet>,
    /// Set by `allocate`.
    pub alloc: Option<Allocation>,
    /// Set by `schedule`.
    pub plan: Option<NetworkPlan>,
    /// Set by `lower`.
    pub program: Option<crate::bytecode::Program>,
}

impl Module {
    pub fn new(layer: Layer, arch: Arch, pass: PassKind, dataflow: Dataflow) -> Self {
        Module {
            layer,
            arch,
            pass,
            dataflow,
            physical: false,
            graph: None,
            set: None,
            alloc: None,
            plan: None,
            program: None,
        }
    }

    /// Whether a pass has filled in `part`.
    pub fn has(&self, part: Part) -> bool {
        match part {
            Part::Graph => self.graph.is_some(),
            Part::Set => self.set.is_some(),
            Part::Alloc => self.alloc.is_some(),
            Part::Plan => self.plan.is_some(),
            Part::Program => self.program.is_some(),
        }
    }

    /// The Grad-Flow grouping of the mapped set: the one `gflow-map` built
    /// it with, or 1 for a row-stationary (or not yet mapped) module.
    pub fn gflow_group(&self) -> i64 {
        self.set.as_ref().and_then(|s| s.gflow_group).unwrap_or(1)
    }

    /// Padded input extent of the layer.
    pub fn padded(&self) -> Hw {
        self.layer.padded_ifmap()
    }
}

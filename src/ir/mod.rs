//! The dataflow IR: a petgraph graph of tensors and operations (built by pass
//! selection), plus what the later passes attach to it (the mapping onto a
//! logical PE set, its allocation on the physical array, and the per-PE
//! schedule).

mod eval;
mod graph;
mod print;
mod schedule;
mod verify;

pub use crate::vocab::{Delivery, Net, OutKind, Src, SrcKind};
pub use eval::{eval, SrcMatrix};
pub use graph::{Graph, Node, NodeId, Op, TensorInfo, TensorRole};
pub use print::print_module;
pub use schedule::{
    Allocation, LogicalSet, NetworkPlan, PeSchedule, Placement, StreamTiming, Word,
};
pub use verify::verify_module;

use crate::model::{Arch, Hw, Layer};
use crate::options::{Dataflow, PassKind};

/// Everything the pass pipeline knows about one request. Passes fill the
/// optional parts in order; the verifier checks what is present.
#[derive(Debug, Clone)]
pub struct Module {
    pub layer: Layer,
    pub arch: Arch,
    pub pass: PassKind,
    pub dataflow: Dataflow,
    pub gflow_group: i64,
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
    pub fn new(
        layer: Layer,
        arch: Arch,
        pass: PassKind,
        dataflow: Dataflow,
        gflow_group: i64,
    ) -> Self {
        Module {
            layer,
            arch,
            pass,
            dataflow,
            gflow_group,
            physical: false,
            graph: None,
            set: None,
            alloc: None,
            plan: None,
            program: None,
        }
    }

    /// Padded input extent of the layer.
    pub fn padded(&self) -> Hw {
        self.layer.padded_ifmap()
    }
}

//! The compiler passes, the bytecode back end and the simulator: property
//! tests of both dataflows, the physical pipeline, parity with the original
//! model, layer costs, end-to-end runs and the IR/bytecode/layer/compare
//! snapshots.

#[path = "../common/mod.rs"]
mod common;

mod chip_search;
mod compare_snapshots;
mod conv_kinds;
mod docs_tables;
mod end_to_end;
mod extreme_arch;
mod fuzz;
mod gflow;
mod gflow_fit;
mod layer_cost;
mod layer_snapshots;
mod parity;
mod passes_snapshots;
mod physical;
mod props;
mod rs_props;
mod rs_split;
mod whole_layer;

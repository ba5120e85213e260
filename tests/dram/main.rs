//! The DRAM energy model: hand-computed values, the command generator and
//! its timing checker, the cross-check traces, DRAMPower v4.1 and fuzzing.

#[path = "../common/mod.rs"]
mod common;

mod crosscheck;
mod fuzz;
mod generate;
mod model;
mod v41;

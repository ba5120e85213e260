//! The cycle-accurate interpreter of the signal bytecode, with real values,
//! and the reference it is checked against.

pub mod data;
mod machine;
pub mod network;
mod pe;
pub mod reference;
mod verify_values;

pub use machine::{run, ArrayParams, Machine, Run, MAX_DELIVERIES};
pub use pe::{PeCounters, SimError};
pub use verify_values::{check_outputs, Mismatch};

//! Cost models: traffic, mapping search, energy, DRAM.

pub mod dram;
pub mod layer;

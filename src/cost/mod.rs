//! The layer cost model: traffic, mapping search, energy; the DRAM's
//! energy comes from the DRAM model (`crate::dram`).

pub mod layer;

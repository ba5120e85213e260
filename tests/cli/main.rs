//! The `cnnc` binary as a whole: adversarial inputs, resource limits,
//! refusals and outputs, the sweep workflow and the plots.

#[path = "../common/mod.rs"]
mod common;

mod adversarial;
mod bounded;
mod coverage;
mod plots;
mod resources;
mod robust;
mod workflow;

//! The `cnnc` binary as a whole: adversarial inputs, resource limits,
//! refusals and outputs, the sweep workflow and the plots.

#[path = "../common/mod.rs"]
mod common;

mod adversarial;
mod bounded;
mod coverage;
mod docs_outputs;
mod plots;
mod project_files;
mod resources;
mod robust;
mod workflow;

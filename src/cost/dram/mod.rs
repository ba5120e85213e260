//! DRAM power model (DRAMPower's equations, in Rust). Being written.

use std::path::PathBuf;

use crate::options::Format;

/// Arguments of `cnnc dram TRACE [--memspec NAME] [--format json]`.
#[derive(Debug, Clone)]
pub struct DramArgs {
    pub trace: PathBuf,
    pub memspec: String,
    pub format: Format,
}

/// Runs `cnnc dram`: reads a trace and prints its energy breakdown.
/// Returns the text for stdout, or an error message (exit status 1).
pub fn run_cli(_args: &DramArgs) -> Result<String, String> {
    Err("the DRAM power model is not implemented yet".to_string())
}

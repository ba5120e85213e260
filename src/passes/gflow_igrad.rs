//! Grad-Flow input-gradient schedule.

use crate::diag::Diagnostic;
use crate::ir::LogicalSet;
use crate::model::Layer;

/// Grad-Flow input-gradient set. Not written yet.
pub fn gflow_igrad_set(_layer: &Layer, _g: i64, _mul: u64, _add: u64) -> Result<LogicalSet, Diagnostic> {
    Err(Diagnostic::error("E0299", "Grad-Flow igrad is not implemented yet"))
}

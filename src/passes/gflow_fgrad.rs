//! Grad-Flow filter-gradient schedule.

use crate::diag::Diagnostic;
use crate::ir::LogicalSet;
use crate::model::Layer;

/// Grad-Flow filter-gradient set. Not written yet.
pub fn gflow_fgrad_set(_layer: &Layer, _g: i64, _mul: u64, _add: u64) -> Result<LogicalSet, Diagnostic> {
    Err(Diagnostic::error("E0299", "Grad-Flow fgrad is not implemented yet"))
}

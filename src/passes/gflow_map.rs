//! The Grad-Flow mapping pass: dispatches to the igrad and fgrad schedules.

use super::{Pass, PassError};
use crate::diag::Diagnostic;
use crate::ir::Module;
use crate::options::PassKind;

pub struct GflowMap;

impl Pass for GflowMap {
    fn name(&self) -> &'static str {
        "gflow-map"
    }
    fn description(&self) -> &'static str {
        "map igrad/fgrad with Grad-Flow (EcoFlow): schedule only the non-zero products"
    }
    fn run(&self, m: &mut Module) -> Result<(), PassError> {
        super::rs_map::require_single_cycle_adder_for_gflow(m)?;
        if !m.layer.is_ordinary() {
            m.set = Some(super::gflow_kinds::gflow_kind_set(m)?);
            return Ok(());
        }
        let g = m.gflow_group;
        let set = match m.pass {
            PassKind::Igrad => super::gflow_igrad_set(&m.layer, g, m.arch.pipeline_mul, m.arch.pipeline_add),
            PassKind::Fgrad => super::gflow_fgrad_set(&m.layer, g, m.arch.pipeline_mul, m.arch.pipeline_add),
            _ => {
                return Err(PassError::refused(
                    Diagnostic::error(crate::diag::Code::GflowForward, "Grad-Flow maps only the training passes (igrad, fgrad)")
                        .with_primary(m.layer.span, "this layer")
                        .with_note(
                            "the forward pass multiplies no inserted zeros: it has no dilation or transposition for Grad-Flow to skip",
                        )
                        .with_help("use `--dataflow rs` for `--pass forward`"),
                ))
            }
        };
        m.set = Some(set.map_err(PassError::refused)?);
        Ok(())
    }
}

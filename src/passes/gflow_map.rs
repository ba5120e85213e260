//! The Grad-Flow mapping pass: dispatches to the igrad and fgrad schedules.

use super::{Part, Pass, PassError, PassOptions};
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
    fn needs(&self) -> &'static [Part] {
        &[]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn files(&self) -> &'static [&'static str] {
        &[
            "gflow_map.rs",
            "gflow_igrad.rs",
            "gflow_fgrad.rs",
            "gflow_kinds.rs",
        ]
    }
    fn doc(&self) -> &'static str {
        r#"Grad-Flow: only the non-zero products of igrad and fgrad; see `docs/gflow.md`. Its option is the grouping (`GflowMapOptions::group`, `--gflow-group`), which it records in the set it builds. Refuses `--pass forward` of an ordinary layer (E0202). `gflow_kinds.rs` runs the transposed forward pass as the igrad schedule and the transposed filter gradient and the dilated stride-1 forward pass and input gradient as the fgrad schedule of an equivalent ordinary layer, the tensors renamed (E0090 for the other passes, which the back end then runs row-stationary)."#
    }
    fn run(&self, m: &mut Module, opts: &PassOptions) -> Result<(), PassError> {
        super::rs_map::require_single_cycle_adder_for_gflow(m)?;
        if !m.layer.is_ordinary() {
            m.set = Some(super::gflow_kinds::gflow_kind_set(m, opts.gflow_map.group)?);
            return Ok(());
        }
        let g = opts.gflow_map.group;
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

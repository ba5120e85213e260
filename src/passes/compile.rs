//! The entry points other stages use to compile one pass of one layer: a
//! module built from the request and run through its named pipeline with
//! the options of the run.

use super::{run_pipeline, PassOptions};

use crate::diag::Diagnostic;
use crate::ir::Module;
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, PassKind};

/// Runs the pass pipeline (up to `after`, if given).
pub fn compile(
    layer: &Layer,
    arch: &Arch,
    pass: PassKind,
    dataflow: Dataflow,
    opts: &PassOptions,
    after: Option<&str>,
) -> Result<Module, Diagnostic> {
    let mut m = Module::new(layer.clone(), arch.clone(), pass, dataflow);
    run_pipeline(&mut m, opts, after)?;
    Ok(m)
}

/// Runs the whole pass pipeline, keeping the IR text after every pass.
pub fn compile_dumping(
    layer: &Layer,
    arch: &Arch,
    pass: PassKind,
    dataflow: Dataflow,
    opts: &PassOptions,
) -> Result<Vec<(&'static str, String)>, Diagnostic> {
    let mut m = Module::new(layer.clone(), arch.clone(), pass, dataflow);
    super::run_pipeline_dumping(&mut m, opts)
}

/// Runs the physical-pass pipeline (row-stationary): a strip of the set on
/// the arch's array, its scratchpads streamed over the networks.
pub fn compile_physical(layer: &Layer, arch: &Arch, pass: PassKind) -> Result<Module, Diagnostic> {
    let mut m = Module::new(layer.clone(), arch.clone(), pass, Dataflow::Rs);
    m.physical = true;
    run_pipeline(&mut m, &PassOptions::default(), None)?;
    Ok(m)
}

//! The one entry from a request's layer, pass and dataflow to its
//! computed result: `rs` and `gflow` compile one module per pass
//! (`compute.rs`); `rs-split` runs a pass as its phases (`rs_split.rs`);
//! `auto` weighs all three (`auto_choice.rs`).

use super::compute::{compute_direct, PassResult};
use super::Request;
use crate::diag::Diagnostic;
use crate::model::Layer;
use crate::options::{Dataflow, PassKind};

pub(crate) fn compute(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: Dataflow,
) -> Result<PassResult, Diagnostic> {
    match dataflow {
        Dataflow::RsSplit => super::rs_split::compute(req, l, pass),
        Dataflow::Auto => super::auto_choice::compute_auto(req, l, pass),
        Dataflow::Rs | Dataflow::Gflow => compute_direct(req, l, pass, dataflow),
    }
}

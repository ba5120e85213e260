//! `cnnc import MODEL.onnx|TOPOLOGY.csv [-o FILE.cnn] [--batch N]`.

use crate::cli::{DiagnosticsStyle, ImportArgs};
use crate::driver::{report_failure, Io};

pub fn run(a: &ImportArgs, io: &mut Io) -> i32 {
    match crate::api::import_model(&a.model, a.batch) {
        Ok(text) => super::sweep_cmd::emit(io, a.output.as_deref(), &text),
        Err(f) => report_failure(io, &f, DiagnosticsStyle::Rich),
    }
}

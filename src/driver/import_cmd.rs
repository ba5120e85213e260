//! `cnnc import MODEL.onnx|TOPOLOGY.csv [-o FILE.cnn] [--batch N]`.

use crate::cli::{DiagnosticsStyle, ImportArgs};
use crate::driver::{report, report_failure, Io, EXIT_INPUT};

pub fn run(a: &ImportArgs, io: &mut Io) -> i32 {
    let style = DiagnosticsStyle::Rich;
    // Before the work: an unwritable `-o` fails now.
    let out = match super::sweep_cmd::prepare(a.output.as_deref(), &[&a.model]) {
        Ok(o) => o,
        Err(d) => {
            report(io, &[d], &a.model.display().to_string(), "", style);
            return EXIT_INPUT;
        }
    };
    match crate::api::import_model(&a.model, a.batch) {
        Ok(text) => super::sweep_cmd::emit(io, out, &text, style),
        Err(f) => report_failure(io, &f, style),
    }
}

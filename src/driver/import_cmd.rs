//! `cnnc import MODEL.onnx|TOPOLOGY.csv [-o FILE.cnn] [--batch N]`.

use crate::cli::ImportArgs;
use crate::driver::{read_input, report, Io, EXIT_INPUT};

/// Cap on an imported file: the largest common ONNX models with their
/// weights (VGG-16, about 550 MB) fit; the protobuf parse holds about
/// twice the file.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

pub fn run(a: &ImportArgs, io: &mut Io) -> i32 {
    let shown = a.model.display().to_string();
    let style = crate::cli::DiagnosticsStyle::Rich;
    // Before the work: an unwritable `-o` fails now.
    let out = match super::sweep_cmd::prepare(a.output.as_deref(), &[&a.model]) {
        Ok(o) => o,
        Err(d) => {
            report(io, &[d], &shown, "", style);
            return EXIT_INPUT;
        }
    };
    let bytes = match read_input(
        &a.model,
        MAX_MODEL_BYTES,
        "ONNX model or SCALE-Sim topology",
    ) {
        Ok(b) => b,
        Err(d) => {
            report(io, &[d], &shown, "", style);
            return EXIT_INPUT;
        }
    };
    let stem = a
        .model
        .file_stem()
        .map_or("imported".into(), |s| s.to_string_lossy().into_owned());
    let name = crate::import::emit::network_name(&stem);
    let file = a
        .model
        .file_name()
        .map_or(shown.clone(), |f| f.to_string_lossy().into_owned());
    let result = match a.batch {
        Some(0) => Err(crate::diag::Diagnostic::error(
            crate::diag::Code::ImportBadBatch,
            "`--batch 0`: the batch size must be at least 1",
        )
        .with_help("give a positive batch size, e.g. `--batch 4`")),
        _ if a
            .model
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            let text = String::from_utf8_lossy(&bytes);
            crate::import::scalesim::import(&text, a.batch.unwrap_or(1)).map(|items| {
                crate::import::emit::network(
                    &name,
                    &format!("the SCALE-Sim topology {file}"),
                    &items,
                )
            })
        }
        _ => crate::import::onnx::import(&bytes, a.batch).map(|m| {
            let from = if m.graph_name.is_empty() {
                format!("the ONNX model {file}, batch {}", m.batch)
            } else {
                format!(
                    "the ONNX model {file} (graph `{}`), batch {}",
                    m.graph_name, m.batch
                )
            };
            crate::import::emit::network(&name, &from, &m.items)
        }),
    };
    match result {
        Ok(text) => super::sweep_cmd::emit(io, out, &text, style),
        Err(d) => {
            report(io, &[d], &shown, "", style);
            EXIT_INPUT
        }
    }
}

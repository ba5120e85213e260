//! `cnnc import MODEL.onnx|TOPOLOGY.csv [-o FILE.cnn] [--batch N]`.

use crate::cli::ImportArgs;
use crate::driver::{report, Io, EXIT_INPUT};

pub fn run(a: &ImportArgs, io: &mut Io) -> i32 {
    let shown = a.model.display().to_string();
    let bytes = match std::fs::read(&a.model) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(io.err, "cnnc: cannot read `{shown}`: {e}");
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
        Ok(text) => super::sweep_cmd::emit(io, a.output.as_deref(), &text),
        Err(d) => {
            report(io, &[d], &shown, "", crate::cli::DiagnosticsStyle::Rich);
            EXIT_INPUT
        }
    }
}

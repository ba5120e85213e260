//! One layer: `--emit ir`, `signals` or `stats` for one pass or all three.

use super::compute::gflow_group;
use super::dataflow::compute;
use super::{passes_of, side_files_of, Outcome, Output, PassReport, Request};
use crate::bytecode::print_program;
use crate::ir::print_module;
use crate::model::Layer;
use crate::options::{Emit, Format};
use crate::passes::{compile, compile_dumping, PassOptions};

pub(crate) fn run(req: &Request<'_>, l: &Layer) -> Outcome {
    let mut out = Output::default();
    let mut reports = Vec::new();
    let passes = passes_of(req.pass);
    let progress = crate::progress::Progress::new(passes.len(), "passes");
    for &pass in &passes {
        match req.emit {
            Emit::Ir if req.after.as_deref() == Some("all") => {
                let g = gflow_group(req, l, pass, req.dataflow).map_err(|d| vec![d])?;
                let opts = PassOptions::gflow_group(g);
                let dumps =
                    compile_dumping(l, req.arch, pass, req.dataflow, &opts).map_err(|d| vec![d])?;
                for (name, ir) in dumps {
                    out.text.push_str(&format!("// after {name}\n{ir}"));
                }
            }
            Emit::Ir => {
                let g = gflow_group(req, l, pass, req.dataflow).map_err(|d| vec![d])?;
                let opts = PassOptions::gflow_group(g);
                let m = compile(l, req.arch, pass, req.dataflow, &opts, req.after.as_deref())
                    .map_err(|d| vec![d])?;
                out.text.push_str(&print_module(&m, &opts));
            }
            Emit::Signals => {
                let g = gflow_group(req, l, pass, req.dataflow).map_err(|d| vec![d])?;
                let opts = PassOptions::gflow_group(g);
                let m =
                    compile(l, req.arch, pass, req.dataflow, &opts, None).map_err(|d| vec![d])?;
                if let Some(p) = &m.program {
                    out.text.push_str(&print_program(p));
                }
            }
            Emit::Stats | Emit::Ast => {
                let r = compute(req, l, pass, req.dataflow).map_err(|d| vec![d])?;
                let report = PassReport::new(&r);
                out.files.extend(
                    side_files_of(req, &r.outcome, &report, None, passes.len())
                        .map_err(|d| vec![d])?,
                );
                out.refusals.extend(report.refusals.iter().cloned());
                reports.push(report);
            }
        }
        progress.inc();
    }
    drop(progress);
    if !reports.is_empty() {
        out.text = match req.format {
            Format::Text => reports
                .iter()
                .map(|r| r.text())
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Json => json(&reports),
            Format::Csv => super::csv_rows::table(&reports),
        };
    }
    out.reports = reports;
    Ok(out)
}

fn json(reports: &[PassReport]) -> String {
    let v = if reports.len() == 1 {
        serde_json::to_value(&reports[0])
    } else {
        serde_json::to_value(reports)
    };
    v.and_then(|v| serde_json::to_string_pretty(&crate::schema::stamped(v)))
        .unwrap_or_default()
        + "\n"
}

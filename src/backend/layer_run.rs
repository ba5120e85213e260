//! One layer: `--emit ir`, `signals` or `stats` for one pass or all three.

use super::compute::{compute, PassResult};
use super::{passes_of, write_side_file, Outcome, PassReport, Request};
use crate::bytecode::print_program;
use crate::cost::layer::{dram_trace, summary};
use crate::diag::Diagnostic;
use crate::ir::print_module;
use crate::model::Layer;
use crate::options::{Emit, Format, PassKind};
use crate::passes::compile;
use crate::stats::pe_csv;

pub(crate) fn run(req: &Request<'_>, l: &Layer) -> Outcome {
    let mut text = String::new();
    let mut reports = Vec::new();
    let passes = passes_of(req.pass);
    for &pass in &passes {
        match req.emit {
            Emit::Ir => {
                let m = compile(
                    l,
                    req.arch,
                    pass,
                    req.dataflow,
                    req.gflow_group,
                    req.after.as_deref(),
                )
                .map_err(|d| vec![d])?;
                text.push_str(&print_module(&m));
            }
            Emit::Signals => {
                let m = compile(l, req.arch, pass, req.dataflow, req.gflow_group, None)
                    .map_err(|d| vec![d])?;
                if let Some(p) = &m.program {
                    text.push_str(&print_program(p));
                }
            }
            Emit::Stats | Emit::Ast => {
                let r = compute(req, l, pass, req.dataflow).map_err(|d| vec![d])?;
                if let Some(path) = &req.pe_stats {
                    write_side_file(
                        &with_pass_suffix(path, pass, passes.len()),
                        &pe_csv(&r.outcome.pes),
                    )?;
                }
                side_files(req, &r, pass, passes.len())?;
                let report = PassReport::new(&r);
                reports.push(report);
            }
        }
    }
    if !reports.is_empty() {
        text = match req.format {
            Format::Text => reports
                .iter()
                .map(|r| r.text())
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Json => json(&reports),
        };
    }
    Ok(text)
}

/// `--summary` and `--dram-trace` need the whole-layer figures.
fn side_files(
    req: &Request<'_>,
    r: &PassResult,
    pass: PassKind,
    n: usize,
) -> Result<(), Vec<Diagnostic>> {
    if req.summary.is_none() && req.dram_trace.is_none() {
        return Ok(());
    }
    let o = &r.outcome;
    let ls = match &r.layer {
        Ok(ls) => ls,
        Err(why) => {
            return Err(vec![Diagnostic::error(
                why.code,
                format!(
                    "no whole-layer figures for --summary or --dram-trace: {}",
                    super::report::refusal_line(why)
                ),
            )
            .with_primary(o.module.layer.span, "this layer")])
        }
    };
    if let Some(path) = &req.summary {
        write_side_file(&with_pass_suffix(path, pass, n), &summary(o, ls))?;
    }
    if let Some(path) = &req.dram_trace {
        write_side_file(&with_pass_suffix(path, pass, n), &dram_trace(o, ls))?;
    }
    Ok(())
}

fn json(reports: &[PassReport]) -> String {
    let v = if reports.len() == 1 {
        serde_json::to_value(&reports[0])
    } else {
        serde_json::to_value(reports)
    };
    v.and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default()
        + "\n"
}

/// With `--pass all`, side files get the pass in their name: `x.csv` -> `x.igrad.csv`.
pub(crate) fn with_pass_suffix(
    path: &std::path::Path,
    pass: PassKind,
    n: usize,
) -> std::path::PathBuf {
    if n <= 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!(
        "{stem}.{}{ext}",
        format!("{pass:?}").to_lowercase()
    ))
}

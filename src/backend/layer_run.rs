//! One layer: `--emit ir`, `signals` or `stats` for one pass or all three.

use super::{passes_of, write_side_file, Outcome, PassReport, Request};
use crate::bytecode::print_program;
use crate::cost::layer::{dram_trace, summary};
use crate::diag::Diagnostic;
use crate::ir::print_module;
use crate::model::Layer;
use crate::options::{Emit, Format, PassKind};
use crate::pipeline::{compile, simulate, PassOutcome};
use crate::stats::pe_csv;

/// Compiles and simulates one pass; a wrong output is an error diagnostic
/// listing the first wrong elements.
pub(crate) fn outcome(
    req: &Request<'_>,
    l: &Layer,
    pass: PassKind,
    dataflow: crate::options::Dataflow,
) -> Result<PassOutcome, Diagnostic> {
    let m = compile(l, req.arch, pass, dataflow, req.gflow_group, None)?;
    let o = simulate(m, req.seed)?;
    if !o.stats.verified {
        let mut d = Diagnostic::error(
            "E0911",
            format!(
                "simulated outputs of layer `{}` ({pass:?}) differ from the reference",
                l.name
            ),
        )
        .with_primary(l.span, "this layer");
        for m in &o.stats.mismatches {
            d = d.with_note(format!(
                "element ({}, {}): expected {}, simulated {}",
                m.row,
                m.col,
                m.expected,
                m.actual.map_or("nothing".to_string(), |v| v.to_string())
            ));
        }
        return Err(
            d.with_help("this is a bug in cnnc's mapping; please report it with the input file")
        );
    }
    Ok(o)
}

pub(crate) fn run(req: &Request<'_>, l: &Layer) -> Outcome {
    let mut text = String::new();
    let mut reports = Vec::new();
    let passes = passes_of(req.pass);
    let progress = crate::progress::Progress::new(passes.len(), "passes");
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
                let o = outcome(req, l, pass, req.dataflow).map_err(|d| vec![d])?;
                if let Some(path) = &req.pe_stats {
                    write_side_file(&with_pass_suffix(path, pass, passes.len()), &pe_csv(&o.pes))?;
                }
                let report = PassReport::new(&o);
                side_files(req, &o, &report, pass, passes.len())?;
                reports.push(report);
            }
        }
        progress.inc();
    }
    drop(progress);
    if !reports.is_empty() {
        text = match req.format {
            Format::Text => reports
                .iter()
                .map(|r| r.text())
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Json => json(&reports),
            Format::Csv => crate::stats::csv_rows::table(&reports),
        };
    }
    Ok(text)
}

/// `--summary` and `--dram-trace` need the whole-layer figures.
fn side_files(
    req: &Request<'_>,
    o: &PassOutcome,
    r: &PassReport,
    pass: PassKind,
    n: usize,
) -> Result<(), Vec<Diagnostic>> {
    if req.summary.is_none() && req.dram_trace.is_none() {
        return Ok(());
    }
    let Some(ls) = &r.layer_stats else {
        let why = r.layer_refused.clone().unwrap_or_default();
        return Err(vec![Diagnostic::error(
            "E0301",
            format!("no whole-layer figures for --summary or --dram-trace: {why}"),
        )
        .with_primary(o.module.layer.span, "this layer")]);
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

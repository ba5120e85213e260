//! A whole network: every layer, in parallel over layers.

use std::fmt::Write;

use super::dataflow::compute;
use super::not_included::{operator_lines, operators, NotIncluded};
use super::{member, passes_of, side_files_of, Outcome, Output, PassReport, Request};
use crate::diag::Diagnostic;
use crate::model::Network;
use crate::options::{Emit, Format, PassKind};

pub(crate) fn run(req: &Request<'_>, n: &Network) -> Outcome {
    if req.emit != Emit::Stats {
        // IR and signals are per layer: print them one after another.
        let mut out = Output::default();
        for l in &n.layers {
            out.text.push_str(&super::layer_run::run(req, l)?.text);
        }
        return Ok(out);
    }
    let passes = passes_of(req.pass);
    let jobs: Vec<_> = n
        .layers
        .iter()
        .flat_map(|l| passes.iter().map(move |&p| (l, p)))
        .collect();
    let progress = crate::progress::Progress::new(jobs.len(), "layer passes");
    let results = super::parallel::parallel_map(&jobs, |&(l, p)| {
        let r = compute(req, l, p, req.dataflow)?;
        let report = PassReport::new(&r);
        let files = side_files_of(
            req,
            &r.outcome,
            &report,
            Some(member(&l.name)),
            passes.len(),
        )?;
        progress.inc();
        Ok((report, files))
    });
    drop(progress);
    // A layer-pass that cannot run is a row marked refused; the others
    // are still reported, and the run exits 1 with its diagnostic.
    let mut out = Output::default();
    let mut rows = Vec::new();
    for (&(l, p), r) in jobs.iter().zip(results) {
        match r {
            Ok((r, files)) => {
                out.refusals.extend(r.refusals.iter().cloned());
                out.files.extend(files);
                rows.push(Ok(r));
            }
            Err(d) => {
                rows.push(Err((l.name.clone(), p, refusal_text(&d))));
                out.refusals.push(d);
            }
        }
    }
    let reports: Vec<&PassReport> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
    let failed: Vec<NotIncluded> = rows
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|(l, p, why)| NotIncluded::pass(l, *p, why.clone()))
        .collect();
    let operators = operators(&n.not_costed);
    out.text = match req.format {
        Format::Json => {
            let layers: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| match r {
                    Ok(r) => serde_json::json!(r),
                    Err((l, p, why)) => {
                        serde_json::json!({ "layer": l, "pass": p, "refused": why })
                    }
                })
                .collect();
            let mut t = totals(reports.iter().copied());
            t.not_included.extend(failed);
            t.not_included.extend(operators);
            serde_json::to_string_pretty(&serde_json::json!({
                "schema_version": crate::schema::SCHEMA_VERSION,
                "network": n.name,
                "layers": layers,
                "totals": t,
            }))
            .unwrap_or_default()
                + "\n"
        }
        Format::Text => table(&n.name, &rows) + &operator_lines(&operators),
        Format::Csv => {
            let mut csv =
                super::csv_rows::table(&reports.iter().map(|r| (*r).clone()).collect::<Vec<_>>());
            for row in operators.iter().filter_map(NotIncluded::csv_row) {
                csv.push_str(&row);
                csv.push('\n');
            }
            csv
        }
    };
    out.reports = rows.into_iter().filter_map(Result::ok).collect();
    Ok(out)
}

/// A layer-pass that could not run: layer, pass, why.
type Failed = (String, PassKind, String);

fn refusal_text(d: &Diagnostic) -> String {
    format!("error[{}]: {}", d.code, d.message)
}

fn table(name: &str, rows: &[Result<PassReport, Failed>]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "network {name}");
    let _ = writeln!(
        s,
        "{:<20} {:<8} {:>9} {:>12} {:>14} {:>12} {:>14} {:>14} {:>12} {:>9}",
        "layer",
        "pass",
        "pe_set",
        "pass cycles",
        "macs",
        "zero_macs",
        "layer cycles",
        "energy (pJ)",
        "dram bytes",
        "verified"
    );
    let mut refused = Vec::new();
    let mut reports = Vec::new();
    for row in rows {
        let r = match row {
            Ok(r) => r,
            Err((l, p, why)) => {
                let pass = format!("{p:?}").to_lowercase();
                let _ = writeln!(s, "{l:<20} {pass:<8} {:>9} refused", "-");
                refused.push(format!("{l} {p:?}: {why}"));
                continue;
            }
        };
        reports.push(r);
        let p = &r.pass_stats;
        let (lc, le, ld) = match &r.layer_stats {
            Some(l) => (
                l.cycles.to_string(),
                format!("{:.4e}", l.energy_pj.total),
                l.dram_bytes.to_string(),
            ),
            None => {
                refused.push(format!(
                    "{} {:?}: {}",
                    r.layer,
                    r.pass,
                    r.layer_refused
                        .as_ref()
                        .map(super::report::refusal_line)
                        .unwrap_or_default()
                ));
                ("refused".into(), "-".into(), "-".into())
            }
        };
        let (lm, lz) = r
            .layer_stats
            .as_ref()
            .map_or((p.macs, p.zero_macs), |l| (l.macs, l.zero_macs));
        let _ = writeln!(
            s,
            "{:<20} {:<8} {:>9} {:>12} {:>14} {:>12} {:>14} {:>14} {:>12} {:>9}",
            r.layer,
            format!("{:?}", r.pass).to_lowercase(),
            format!("{}x{}", r.pe_set.rows, r.pe_set.cols),
            p.cycles,
            lm,
            lz,
            lc,
            le,
            ld,
            p.verified
        );
    }
    let t = totals(reports.iter().copied());
    let _ = writeln!(
        s,
        "{:<20} {:<8} {:>9} {:>12} {:>14} {:>12} {:>14} {:>14} {:>12}",
        "total",
        "",
        "",
        "",
        t.macs,
        t.zero_macs,
        t.cycles,
        format!("{:.4e}", t.energy_pj),
        t.dram_bytes
    );
    let _ = writeln!(
        s,
        "ideal_cycles {} (the summed layer-passes' bound; cycles / ideal_cycles {:.3})",
        t.ideal_cycles,
        t.cycles as f64 / t.ideal_cycles.max(1) as f64
    );
    if !refused.is_empty() {
        let _ = writeln!(s, "not in the total (the arch cannot hold these passes):");
        for r in refused {
            let _ = writeln!(s, "  {r}");
        }
    }
    s
}

/// Sums over the layer-passes whose whole-layer figures exist (a training
/// step with `--pass all`); the rest, and the operators not costed, are
/// listed in `not_included`.
#[derive(Debug, Default, serde::Serialize)]
struct Totals {
    macs: u64,
    zero_macs: u64,
    cycles: u64,
    /// The sum of the layer-passes' `ideal_cycles`.
    ideal_cycles: u64,
    energy_pj: f64,
    glb_bytes: u64,
    dram_bytes: u64,
    not_included: Vec<NotIncluded>,
}

fn totals<'r>(reports: impl IntoIterator<Item = &'r PassReport>) -> Totals {
    let mut t = Totals::default();
    for r in reports {
        match &r.layer_stats {
            Some(l) => {
                t.macs += l.macs;
                t.zero_macs += l.zero_macs;
                t.cycles += l.cycles;
                t.ideal_cycles += l.ideal_cycles;
                t.energy_pj += l.energy_pj.total;
                t.glb_bytes += l.glb_bytes;
                t.dram_bytes += l.dram_bytes;
            }
            None => t.not_included.push(NotIncluded::pass(
                &r.layer,
                r.pass,
                r.layer_refused
                    .as_ref()
                    .map(super::report::refusal_line)
                    .unwrap_or_default(),
            )),
        }
    }
    t
}

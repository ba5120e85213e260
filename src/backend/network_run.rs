//! A whole network: every layer, in parallel over layers.

use std::fmt::Write;

use super::layer_run::outcome;
use super::{passes_of, Outcome, PassReport, Request};
use crate::model::Network;
use crate::options::{Emit, Format};

pub(crate) fn run(req: &Request<'_>, n: &Network) -> Outcome {
    if req.emit != Emit::Stats {
        // IR and signals are per layer: print them one after another.
        let mut text = String::new();
        for l in &n.layers {
            text.push_str(&super::layer_run::run(req, l)?);
        }
        return Ok(text);
    }
    let passes = passes_of(req.pass);
    let jobs: Vec<_> = n
        .layers
        .iter()
        .flat_map(|l| passes.iter().map(move |&p| (l, p)))
        .collect();
    let progress = crate::progress::Progress::new(jobs.len(), "layer passes");
    let results = super::parallel::parallel_map(&jobs, |&(l, p)| {
        let r = outcome(req, l, p, req.dataflow).map(|o| PassReport::new(&o));
        progress.inc();
        r
    });
    drop(progress);
    let mut reports = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(r) => reports.push(r),
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(match req.format {
        Format::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "network": n.name,
                "layers": reports,
                "totals": totals(&reports),
            }))
            .unwrap_or_default()
                + "\n"
        }
        Format::Text => table(&n.name, &reports),
        Format::Csv => crate::stats::csv_rows::table(&reports),
    })
}

fn table(name: &str, reports: &[PassReport]) -> String {
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
    for r in reports {
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
                    r.layer_refused.clone().unwrap_or_default()
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
    let t = totals(reports);
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
    if !refused.is_empty() {
        let _ = writeln!(s, "not in the total (the arch cannot hold these passes):");
        for r in refused {
            let _ = writeln!(s, "  {r}");
        }
    }
    s
}

/// Sums over the layer-passes whose whole-layer figures exist (a training
/// step with `--pass all`); the rest are listed by name.
#[derive(Debug, Default, serde::Serialize)]
struct Totals {
    macs: u64,
    zero_macs: u64,
    cycles: u64,
    energy_pj: f64,
    glb_bytes: u64,
    dram_bytes: u64,
    not_included: Vec<String>,
}

fn totals(reports: &[PassReport]) -> Totals {
    let mut t = Totals::default();
    for r in reports {
        match &r.layer_stats {
            Some(l) => {
                t.macs += l.macs;
                t.zero_macs += l.zero_macs;
                t.cycles += l.cycles;
                t.energy_pj += l.energy_pj.total;
                t.glb_bytes += l.glb_bytes;
                t.dram_bytes += l.dram_bytes;
            }
            None => t.not_included.push(format!(
                "{} {}",
                r.layer,
                format!("{:?}", r.pass).to_lowercase()
            )),
        }
    }
    t
}

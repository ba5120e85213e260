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
    let results = super::parallel::parallel_map(&jobs, |&(l, p)| {
        outcome(req, l, p, req.dataflow).map(|o| PassReport::new(&o))
    });
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
            }))
            .unwrap_or_default()
                + "\n"
        }
        Format::Text => table(&n.name, &reports),
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
    let (mut macs, mut zero, mut cycles, mut energy, mut dram) = (0u64, 0u64, 0u64, 0f64, 0u64);
    let mut refused = Vec::new();
    for r in reports {
        let p = &r.pass_stats;
        let (lc, le, ld) = match &r.layer_stats {
            Some(l) => {
                cycles += l.cycles;
                energy += l.energy_pj.total;
                dram += l.dram_bytes;
                macs += l.macs;
                zero += l.zero_macs;
                (
                    l.cycles.to_string(),
                    format!("{:.4e}", l.energy_pj.total),
                    l.dram_bytes.to_string(),
                )
            }
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
    let _ = writeln!(
        s,
        "{:<20} {:<8} {:>9} {:>12} {:>14} {:>12} {:>14} {:>14} {:>12}",
        "total",
        "",
        "",
        "",
        macs,
        zero,
        cycles,
        format!("{energy:.4e}"),
        dram
    );
    if !refused.is_empty() {
        let _ = writeln!(s, "not in the total (the arch cannot hold these passes):");
        for r in refused {
            let _ = writeln!(s, "  {r}");
        }
    }
    s
}

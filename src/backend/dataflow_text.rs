//! The text report's lines for `rs-split` (its phases) and `auto` (its
//! choice and candidates).

use std::fmt::Write;

use super::dataflow_reports::{AutoReport, SplitReport};

pub(super) fn split_text(r: Option<&SplitReport>) -> String {
    let mut s = String::new();
    let Some(r) = r else {
        return s;
    };
    if let Some(why) = r.whole {
        let _ = writeln!(s, "rs-split: {why}");
        return s;
    }
    let forms: Vec<String> = r
        .forms
        .iter()
        .map(|f| match (f.cycles, &f.refused) {
            (Some(c), _) => format!(
                "{} {c} cycles, {:.4e} pJ",
                f.form,
                f.energy_pj.unwrap_or(0.0)
            ),
            (None, Some(why)) => format!("{} refused: {why}", f.form),
            (None, None) => f.form.to_string(),
        })
        .collect();
    let _ = writeln!(
        s,
        "rs-split: {} form (lowest score under the objective), {} stride-1 phase(s) run one after another, layer_stats is their sum (forms: {})",
        r.form,
        r.phases.len(),
        forms.join("; ")
    );
    for p in &r.phases {
        let residue = p.residue.map_or("every residue".to_string(), |x| {
            format!("residue {},{}", x.h, x.w)
        });
        let _ = writeln!(
            s,
            "  {} (pass {}, {residue}): ifmap {}x{}, channels {}, filter {}x{}, filters {}, pad {}x{}; cycles {} (cycles_from {}), utilisation {:.4}, energy_pj {:.4e}, dram_bytes {}, mapping {}, verified {} ({})",
            p.layer,
            format!("{:?}", p.pass).to_lowercase(),
            p.ifmap.h,
            p.ifmap.w,
            p.channels,
            p.filter.h,
            p.filter.w,
            p.filters,
            p.pad.h,
            p.pad.w,
            p.cycles,
            p.cycles_from,
            p.utilisation,
            p.energy_pj,
            p.dram_bytes,
            p.mapping,
            p.verified,
            p.verify
        );
    }
    s
}

pub(super) fn auto_text(r: Option<&AutoReport>) -> String {
    let mut s = String::new();
    let Some(a) = r else {
        return s;
    };
    let _ = writeln!(
        s,
        "auto: chose {} (lowest {} score; layer_stats is its run):",
        crate::options::dataflow_name(a.chosen),
        format!("{:?}", a.objective).to_lowercase()
    );
    for c in &a.candidates {
        match (c.cycles, &c.note) {
            (Some(cy), _) => {
                let _ = writeln!(
                    s,
                    "  {}: cycles {} (cycles_from {}), energy_pj {:.4e}, score {:.4e}",
                    crate::options::dataflow_name(c.dataflow),
                    cy,
                    c.cycles_from.unwrap_or("-"),
                    c.energy_pj.unwrap_or(0.0),
                    c.score.unwrap_or(0.0)
                );
            }
            (None, Some(n)) => {
                let _ = writeln!(s, "  {}: {n}", crate::options::dataflow_name(c.dataflow));
            }
            (None, None) => {}
        }
    }
    s
}

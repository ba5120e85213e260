//! `compare_<layer>_<pass>.svg` (`--compare --plot`): one layer-pass under
//! row-stationary and Grad-Flow side by side, in four panels: cycles by the
//! simulation's causes (or the estimate, grey), energy on chip and in DRAM,
//! DRAM bytes, and utilisation.

use plotters::prelude::*;

use super::bars::{stacked, Error, Series};
use super::cycles::series as cycle_series;
use super::style::{scope, CAPTION, FONT, HEIGHT, WIDTH};
use crate::backend::PassReport;
use crate::cost::layer::LayerStats;

/// The figure of a pair (row-stationary first); None unless both sides
/// have whole-layer figures.
pub fn compare_svg(rs: &PassReport, gf: &PassReport) -> Result<Option<String>, Error> {
    let (Some(a), Some(b)) = (rs.layer_stats.as_ref(), gf.layer_stats.as_ref()) else {
        return Ok(None);
    };
    let side = |r: &PassReport, l: &LayerStats| {
        let from = if l.cycles_from == "simulation" {
            "simulated"
        } else {
            "estimated"
        };
        match &r.gflow_fallback {
            Some(_) => format!("gflow as rs ({from})"),
            None if r.dataflow == crate::options::Dataflow::Gflow => {
                format!("gflow g{} ({from})", r.gflow_group)
            }
            None => format!("rs ({from})"),
        }
    };
    let labels = vec![side(rs, a), side(gf, b)];
    let one = |name: &str, f: &dyn Fn(&LayerStats) -> f64| Series {
        name: name.to_string(),
        values: vec![f(a), f(b)],
    };
    let energy = vec![
        one("on-chip", &|l| l.energy_pj.total - l.energy_pj.dram),
        one("DRAM", &|l| l.energy_pj.dram),
    ];
    let mut svg = String::new();
    {
        let (w, h) = (WIDTH, HEIGHT);
        let root = SVGBackend::with_string(&mut svg, (w * 2, h * 2)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(
            &format!(
                "{}: row-stationary vs Grad-Flow, {}",
                rs.layer,
                scope(&[rs.arch.as_str()], &[rs.pass])
            ),
            (FONT, CAPTION),
        )?;
        let panels = root.split_evenly((2, 2));
        stacked(
            &panels[0],
            "cycles",
            "cycles",
            "cycles",
            &labels,
            &cycle_series(&[a, b]),
        )?;
        stacked(&panels[1], "energy", "energy", "pJ", &labels, &energy)?;
        stacked(
            &panels[2],
            "DRAM traffic",
            "dram_bytes",
            "bytes",
            &labels,
            &[one("DRAM", &|l| l.dram_bytes as f64)],
        )?;
        stacked(
            &panels[3],
            "utilisation",
            "utilisation",
            "",
            &labels,
            &[one("utilisation", &|l| l.utilisation)],
        )?;
        root.present()?;
    }
    Ok(Some(svg))
}

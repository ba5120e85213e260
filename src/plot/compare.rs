//! `compare_<layer>_<pass>.svg` (`--compare --plot`): one layer-pass under
//! every `--compare` dataflow side by side, in four panels: cycles by the
//! simulation's causes (or the estimate, grey), energy on chip and in DRAM,
//! DRAM bytes, and utilisation.

use plotters::prelude::*;

use super::bars::{stacked, Error, Series};
use super::cycles::series as cycle_series;
use super::style::{scope, CAPTION, FONT, HEIGHT, WIDTH};
use crate::backend::PassReport;
use crate::cost::layer::LayerStats;

/// The figure of one layer-pass under every `--compare` dataflow
/// (row-stationary first); None unless every side has whole-layer figures.
pub fn compare_svg(sides: &[PassReport]) -> Result<Option<String>, Error> {
    let Some(stats) = sides
        .iter()
        .map(|r| r.layer_stats.as_ref())
        .collect::<Option<Vec<&LayerStats>>>()
    else {
        return Ok(None);
    };
    let Some(rs) = sides.first() else {
        return Ok(None);
    };
    let side = |r: &PassReport, l: &LayerStats| {
        let from = if l.cycles_from == "simulation" {
            "simulated"
        } else {
            "estimated"
        };
        let name = crate::options::dataflow_name(r.dataflow);
        match (&r.gflow_fallback, &r.auto) {
            (_, Some(a)) => format!("auto: {} ({from})", crate::options::dataflow_name(a.chosen)),
            (Some(_), None) => format!("{name} as rs ({from})"),
            (None, None) if r.dataflow == crate::options::Dataflow::Gflow => {
                format!("gflow g{} ({from})", r.gflow_group)
            }
            (None, None) => format!("{name} ({from})"),
        }
    };
    let labels: Vec<String> = sides.iter().zip(&stats).map(|(r, l)| side(r, l)).collect();
    let one = |name: &str, f: &dyn Fn(&LayerStats) -> f64| Series {
        name: name.to_string(),
        values: stats.iter().map(|l| f(l)).collect(),
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
                "{}: every dataflow, {}",
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
            &cycle_series(&stats),
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

//! `energy.svg`: energy per layer and pass in two panels, on-chip energy
//! by level (RF, NoC, MAC, GLB, the chip's static energy) and DRAM energy
//! by data type with its static part (refresh, background, power-down), so
//! the on-chip breakdown is not a sliver under the DRAM's. Each panel adds
//! up to its part of `energy_pj.total`. Passes without whole-layer figures
//! are left out.

use plotters::prelude::*;

use super::bars::{stacked, Error, Series};
use super::style::{bar_label, scope, CAPTION, FONT, HEIGHT, WIDTH};
use crate::backend::PassReport;
use crate::cost::layer::EnergyPj;

pub fn energy_svg(reports: &[PassReport]) -> Result<String, Error> {
    let costed: Vec<&PassReport> = reports.iter().filter(|r| r.layer_stats.is_some()).collect();
    let passes_differ = costed.windows(2).any(|w| w[0].pass != w[1].pass);
    let labels: Vec<String> = costed
        .iter()
        .map(|r| bar_label(&r.layer, r.pass, passes_differ))
        .collect();
    let pick = |f: &dyn Fn(&EnergyPj) -> f64| -> Vec<f64> {
        costed
            .iter()
            .map(|r| r.layer_stats.as_ref().map_or(0.0, |l| f(&l.energy_pj)))
            .collect()
    };
    let s = |name: &str, values| Series {
        name: name.to_string(),
        values,
    };
    let on_chip = vec![
        s("RF", pick(&|e| e.rf)),
        s("NoC", pick(&|e| e.noc)),
        s("MAC", pick(&|e| e.mac)),
        s("GLB", pick(&|e| e.glb)),
        s("chip static", pick(&|e| e.static_power)),
    ];
    let dram = vec![
        s("DRAM ifmap", pick(&|e| e.by_type.ifmap.dram)),
        s("DRAM filter", pick(&|e| e.by_type.filter.dram)),
        s("DRAM psum", pick(&|e| e.by_type.psum.dram)),
        s("DRAM ofmap", pick(&|e| e.by_type.ofmap.dram)),
        s("DRAM static", pick(&|e| e.by_type.dram_static)),
    ];
    let archs: Vec<&str> = costed.iter().map(|r| r.arch.as_str()).collect();
    let passes: Vec<_> = costed.iter().map(|r| r.pass).collect();
    let mut svg = String::new();
    {
        let (w, h) = (WIDTH + 160, HEIGHT + 60);
        let root = SVGBackend::with_string(&mut svg, (w * 2, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(
            &format!("Energy per layer: {}", scope(&archs, &passes)),
            (FONT, CAPTION),
        )?;
        let (left, right) = root.split_horizontally(w);
        stacked(
            &left,
            "on-chip, by level",
            "energy",
            "pJ",
            &labels,
            &on_chip,
        )?;
        stacked(&right, "DRAM, by data type", "energy", "pJ", &labels, &dram)?;
        root.present()?;
    }
    Ok(svg)
}

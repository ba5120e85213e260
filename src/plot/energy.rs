//! `energy.svg`: energy per layer and pass, stacked by level (left) and by
//! data type (right). Passes without whole-layer figures are left out.

use plotters::prelude::*;

use super::bars::{stacked, Error, Series};
use super::style::{bar_label, CAPTION, FONT, HEIGHT, WIDTH};
use crate::backend::PassReport;

pub fn energy_svg(reports: &[PassReport]) -> Result<String, Error> {
    let costed: Vec<&PassReport> = reports.iter().filter(|r| r.layer_stats.is_some()).collect();
    let passes_differ = costed.windows(2).any(|w| w[0].pass != w[1].pass);
    let labels: Vec<String> = costed
        .iter()
        .map(|r| bar_label(&r.layer, r.pass, passes_differ))
        .collect();
    let pick = |f: &dyn Fn(&crate::cost::layer::EnergyPj) -> f64| -> Vec<f64> {
        costed
            .iter()
            .map(|r| r.layer_stats.as_ref().map_or(0.0, |l| f(&l.energy_pj)))
            .collect()
    };
    let s = |name: &str, values| Series {
        name: name.to_string(),
        values,
    };
    let by_level = vec![
        s("RF", pick(&|e| e.rf)),
        s("NoC", pick(&|e| e.noc)),
        s("MAC", pick(&|e| e.mac)),
        s("GLB", pick(&|e| e.glb)),
        s("DRAM", pick(&|e| e.dram)),
    ];
    let by_type = vec![
        s("ifmap", pick(&|e| e.by_type.ifmap.total)),
        s("filter", pick(&|e| e.by_type.filter.total)),
        s("psum", pick(&|e| e.by_type.psum.total)),
        s("ofmap", pick(&|e| e.by_type.ofmap.total)),
        s("MAC ops", pick(&|e| e.by_type.compute)),
        s("DRAM static", pick(&|e| e.by_type.dram_static)),
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH * 2, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled("Energy per layer", (FONT, CAPTION))?;
        let (left, right) = root.split_horizontally(WIDTH);
        stacked(&left, "by level", "energy (pJ)", &labels, &by_level)?;
        stacked(&right, "by data type", "energy (pJ)", &labels, &by_type)?;
        root.present()?;
    }
    Ok(svg)
}

//! `cycles.svg`: cycles per layer and pass. Compute, output collection and
//! operand delivery overlap (`cycles = max(compute, collect, load)`), so a
//! bar is the compute cycles plus the stall beyond them, coloured by the
//! cause that bounds the layer: the parts add up to the layer's cycles.

use plotters::prelude::*;

use super::bars::{stacked, Error, Series};
use super::style::{bar_label, HEIGHT, WIDTH};
use crate::backend::PassReport;

pub fn cycles_svg(reports: &[PassReport]) -> Result<String, Error> {
    let costed: Vec<_> = reports
        .iter()
        .filter_map(|r| r.layer_stats.as_ref().map(|l| (r, l)))
        .collect();
    let passes_differ = costed.windows(2).any(|w| w[0].0.pass != w[1].0.pass);
    let labels: Vec<String> = costed
        .iter()
        .map(|(r, _)| bar_label(&r.layer, r.pass, passes_differ))
        .collect();
    let mut compute = Vec::new();
    let mut collect = Vec::new();
    let mut load = Vec::new();
    for (_, l) in &costed {
        let c = l.estimate.compute_cycles.min(l.cycles);
        let stall = (l.cycles - c) as f64;
        compute.push(c as f64);
        // The stall belongs to whichever of collection and delivery is longer.
        let collect_bound = l.estimate.collect_cycles >= l.estimate.load_cycles;
        collect.push(if collect_bound { stall } else { 0.0 });
        load.push(if collect_bound { 0.0 } else { stall });
    }
    let series = vec![
        Series {
            name: "compute".into(),
            values: compute,
        },
        Series {
            name: "stall: ofmap collection".into(),
            values: collect,
        },
        Series {
            name: "stall: operand delivery".into(),
            values: load,
        },
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        stacked(&root, "Cycles per layer", "cycles", &labels, &series)?;
        root.present()?;
    }
    Ok(svg)
}

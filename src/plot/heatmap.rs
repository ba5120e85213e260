//! `pe_utilisation_*.svg`: the per-PE utilisation (busy cycles over the
//! pass's cycles) of one pass on its PE set, one cell per PE, with a scale.

use plotters::prelude::*;

use super::bars::Error;
use super::style::{shade, FONT, HEIGHT, LABEL, TICK, WIDTH};
use crate::backend::PassReport;

pub fn heatmap_svg(r: &PassReport) -> Result<String, Error> {
    let rows = r.pes.iter().map(|p| p.x + 1).max().unwrap_or(1).max(1);
    let cols = r.pes.iter().map(|p| p.y + 1).max().unwrap_or(1).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let (map, scale) = root.split_horizontally(WIDTH - 110);
        let title = format!(
            "PE utilisation: {} {}, {}",
            r.layer,
            format!("{:?}", r.pass).to_lowercase(),
            format!("{:?}", r.dataflow).to_lowercase()
        );
        let mut chart = ChartBuilder::on(&map)
            .caption(title, (FONT, LABEL + 2))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0u32..cols, 0u32..rows)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("PE column")
            .y_desc("PE row")
            .axis_desc_style((FONT, LABEL))
            .label_style((FONT, TICK))
            .x_labels(cols.min(16) as usize)
            .y_labels(rows.min(16) as usize)
            .draw()?;
        chart.draw_series(r.pes.iter().map(|p| {
            // Row 0 at the top, as the array is usually drawn.
            let y = rows - 1 - p.x;
            Rectangle::new([(p.y, y), (p.y + 1, y + 1)], shade(p.utilisation).filled())
        }))?;
        let mut bar = ChartBuilder::on(&scale)
            .margin_top(40)
            .margin_bottom(48)
            .margin_right(8)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)?;
        bar.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc("utilisation")
            .axis_desc_style((FONT, LABEL))
            .label_style((FONT, TICK))
            .y_labels(6)
            .draw()?;
        bar.draw_series((0..50).map(|i| {
            let lo = i as f64 / 50.0;
            Rectangle::new([(0.0, lo), (1.0, lo + 0.02)], shade(lo + 0.01).filled())
        }))?;
        root.present()?;
    }
    Ok(svg)
}

//! `pe_utilisation_*.svg`: the per-PE utilisation of `pass_stats` (each
//! PE's necessary MACs over the cycles) of one 2-D convolution on its
//! logical PE set, one cell per PE, with a scale. The title says so: it is
//! not the physical array over the whole layer, which the whole-layer
//! simulation does not yet record per PE.

use plotters::prelude::*;

use super::bars::Error;
use super::style::{shade, FONT, HEIGHT, LABEL, TICK, WIDTH};
use crate::backend::PassReport;

/// The PE index at a tick, or nothing between cells.
fn index_label(v: f64, n: u32, flip: bool) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 || i >= n as f64 {
        return String::new();
    }
    let i = i as u32;
    (if flip { n - 1 - i } else { i }).to_string()
}

pub fn heatmap_svg(r: &PassReport) -> Result<String, Error> {
    let rows = r.pes.iter().map(|p| p.x + 1).max().unwrap_or(1).max(1);
    let cols = r.pes.iter().map(|p| p.y + 1).max().unwrap_or(1).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let (map, scale) = root.split_horizontally(WIDTH - 110);
        let title = format!(
            "PE utilisation of one 2-D convolution on its logical PE set: {} {} {}, arch {}",
            r.layer,
            format!("{:?}", r.pass).to_lowercase(),
            crate::options::dataflow_name(r.dataflow),
            r.arch
        );
        let mut chart = ChartBuilder::on(&map)
            .caption(title, (FONT, TICK + 1))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.5f64..cols as f64 - 0.5, -0.5f64..rows as f64 - 0.5)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("PE column")
            .y_desc("PE row")
            .axis_desc_style((FONT, LABEL))
            .label_style((FONT, TICK))
            // Ticks at cell centres; row 0 is drawn at the top.
            .x_label_formatter(&|x| index_label(*x, cols, false))
            .y_label_formatter(&|y| index_label(*y, rows, true))
            .x_labels(cols.min(16) as usize)
            .y_labels(rows.min(16) as usize)
            .draw()?;
        chart.draw_series(r.pes.iter().map(|p| {
            // Row 0 at the top, as the array is usually drawn.
            let (x, y) = (p.y as f64, (rows - 1 - p.x) as f64);
            Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                shade(p.utilisation).filled(),
            )
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

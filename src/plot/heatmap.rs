//! `pe_utilisation_*.svg`: per-PE utilisation, one cell per PE, with a
//! scale. Where the whole layer was simulated it is each PE of the
//! physical array over the whole layer (its necessary MACs summed over
//! every processing pass, over the layer's cycles), so the cells average to
//! `layer_stats.utilisation`; where it was not (an estimate), it is
//! `pass_stats`' per-PE rows: one 2-D convolution on its logical PE set,
//! and the title says so.

use plotters::prelude::*;

use super::bars::Error;
use super::style::{shade, FONT, HEIGHT, LABEL, TICK, WIDTH};
use crate::backend::PassReport;

/// Most cells that carry their value as text (beyond it the cells are
/// too small to read).
const MAX_LABELLED_CELLS: usize = 16 * 16;

/// The PE index at a tick, or nothing between cells.
fn index_label(v: f64, n: u32, flip: bool) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 || i >= n as f64 {
        return String::new();
    }
    let i = i as u32;
    (if flip { n - 1 - i } else { i }).to_string()
}

/// What the figure draws: a grid of utilisations (rows of the array, row 0
/// first) and the title naming where it comes from.
pub struct PeGrid {
    pub cells: Vec<Vec<f64>>,
    pub title: String,
}

/// The grid of a report: the whole layer on the physical array when
/// simulated, else the logical set of one 2-D convolution.
pub fn pe_grid(r: &PassReport) -> PeGrid {
    let what = format!(
        "{} {} {}, arch {}",
        r.layer,
        format!("{:?}", r.pass).to_lowercase(),
        crate::options::dataflow_name(r.dataflow),
        r.arch
    );
    let whole = r.layer_stats.as_ref().and_then(|l| {
        let sim = l.simulation.as_ref()?;
        let grid = &sim.pe_necessary_macs;
        (!grid.is_empty() && l.cycles > 0).then_some((grid, l.cycles))
    });
    if let Some((grid, cycles)) = whole {
        let cols = grid.iter().map(Vec::len).max().unwrap_or(0);
        let cells = grid
            .iter()
            .map(|row| {
                (0..cols)
                    .map(|y| row.get(y).copied().unwrap_or(0) as f64 / cycles as f64)
                    .collect()
            })
            .collect();
        return PeGrid {
            cells,
            title: format!(
                "PE utilisation, whole layer, {} x {} array (simulated): {what}",
                grid.len(),
                cols
            ),
        };
    }
    let rows = r.pes.iter().map(|p| p.x + 1).max().unwrap_or(0) as usize;
    let cols = r.pes.iter().map(|p| p.y + 1).max().unwrap_or(0) as usize;
    let mut cells = vec![vec![0.0; cols]; rows];
    for p in &r.pes {
        cells[p.x as usize][p.y as usize] = p.utilisation;
    }
    PeGrid {
        cells,
        title: format!("PE utilisation, one 2-D convolution, logical PE set: {what}"),
    }
}

pub fn heatmap_svg(r: &PassReport) -> Result<String, Error> {
    let PeGrid { cells, title } = pe_grid(r);
    let rows = cells.len().max(1) as u32;
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0).max(1) as u32;
    let labelled = (rows * cols) as usize <= MAX_LABELLED_CELLS;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let (map, scale) = root.split_horizontally(WIDTH - 110);
        let mut chart = ChartBuilder::on(&map)
            .caption(title, (FONT, TICK))
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
        // Row 0 at the top, as the array is usually drawn.
        let at = |px: usize, py: usize| (py as f64, (rows as usize - 1 - px) as f64);
        let all = || {
            cells
                .iter()
                .enumerate()
                .flat_map(|(px, row)| row.iter().enumerate().map(move |(py, &u)| (px, py, u)))
        };
        chart.draw_series(all().map(|(px, py, u)| {
            let (x, y) = at(px, py);
            Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], shade(u).filled())
        }))?;
        if labelled {
            chart.draw_series(all().map(|(px, py, u)| {
                let (x, y) = at(px, py);
                // Light text on the dark half of the scale.
                let ink: &'static RGBColor = if u > 0.55 { &WHITE } else { &BLACK };
                let style = TextStyle::from((FONT, TICK - 2).into_font())
                    .color(ink)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ));
                Text::new(format!("{u:.2}"), (x, y), style)
            }))?;
        }
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

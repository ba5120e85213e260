//! `pareto.svg`: a sweep's design points, time against energy, with the
//! Pareto front drawn through the points no other point beats on both.

use plotters::prelude::*;

use super::bars::Error;
use super::style::{sci, FONT, HEIGHT, LABEL, PALETTE, TICK, WIDTH};
use crate::sweep::pareto::front;
use crate::sweep::rows::Row;

pub fn pareto_svg(rows: &[Row], keys: &[String]) -> Result<String, Error> {
    let pts: Vec<Option<(f64, f64)>> = rows.iter().map(Row::time_energy).collect();
    scatter_svg(&pts, keys)
}

/// The figure from `(time_us, energy_pj)` per point (None: refused).
pub fn scatter_svg(pts: &[Option<(f64, f64)>], keys: &[String]) -> Result<String, Error> {
    let on = front(pts);
    let ran: Vec<(f64, f64)> = pts.iter().flatten().copied().collect();
    let span = |f: &dyn Fn(&(f64, f64)) -> f64| {
        let lo = ran.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = ran.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            (0.0, 1.0)
        } else {
            let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-9);
            ((lo - pad).max(0.0), hi + pad)
        }
    };
    let (t0, t1) = span(&|p| p.0);
    let (e0, e1) = span(&|p| p.1);
    let mut line: Vec<(f64, f64)> = pts
        .iter()
        .zip(&on)
        .filter_map(|(p, &o)| if o { *p } else { None })
        .collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let title = format!("Sweep over {}", keys.join(", "));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, LABEL + 2))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(t0..t1, e0..e1)?;
        chart
            .configure_mesh()
            .x_desc("time (µs)")
            .y_desc("energy (pJ)")
            .axis_desc_style((FONT, LABEL))
            .label_style((FONT, TICK))
            .y_label_formatter(&sci)
            .x_label_formatter(&sci)
            .light_line_style(WHITE)
            .draw()?;
        let dominated: Vec<(f64, f64)> = pts
            .iter()
            .zip(&on)
            .filter_map(|(p, &o)| if o { None } else { *p })
            .collect();
        chart
            .draw_series(
                dominated
                    .iter()
                    .map(|&p| Circle::new(p, 4, PALETTE[0].mix(0.6).filled())),
            )?
            .label("design point")
            .legend(|(x, y)| Circle::new((x + 5, y), 4, PALETTE[0].filled()));
        chart
            .draw_series(LineSeries::new(
                line.iter().copied(),
                PALETTE[5].stroke_width(2),
            ))?
            .label("Pareto front")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], PALETTE[5].stroke_width(2)));
        chart.draw_series(line.iter().map(|&p| Circle::new(p, 5, PALETTE[5].filled())))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, TICK))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

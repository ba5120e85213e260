//! Stacked bars, one per layer and pass, on any drawing area: the shape the
//! energy and cycle figures share.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{sci, FONT, LABEL, PALETTE, TICK};

pub type Error = Box<dyn std::error::Error>;

/// One stack segment kind: its legend name and one value per bar.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

pub fn stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    labels: &[String],
    series: &[Series],
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let n = labels.len().max(1);
    let top = (0..labels.len())
        .map(|i| series.iter().map(|s| s.values[i]).sum::<f64>())
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.08 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, LABEL + 2))
        .margin(8)
        .x_label_area_size(if n > 6 { 90 } else { 40 })
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, 0f64..top)?;
    let names = labels.to_vec();
    let rotate = n > 6;
    let tick = TextStyle::from((FONT, TICK).into_font());
    // Many bars: the labels are drawn below, rotated, starting at their bar.
    let x_names = if rotate { Vec::new() } else { names.clone() };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            // Ticks fall at bar centres (i + 0.5); others get no label.
            let i = x.floor();
            if (x - i - 0.5).abs() < 1e-6 && (i as usize) < x_names.len() {
                x_names[i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_style(tick.clone())
        .y_label_style(tick.clone())
        .y_label_formatter(&sci)
        .light_line_style(WHITE)
        .y_desc(y_desc)
        .axis_desc_style((FONT, LABEL))
        .draw()?;
    let mut base = vec![0.0; labels.len()];
    for (k, s) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let bars: Vec<Rectangle<(f64, f64)>> = (0..labels.len())
            .map(|i| {
                let (lo, hi) = (base[i], base[i] + s.values[i]);
                base[i] = hi;
                Rectangle::new(
                    [(i as f64 + 0.15, lo), (i as f64 + 0.85, hi)],
                    color.filled(),
                )
            })
            .collect();
        chart
            .draw_series(bars)?
            .label(s.name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    if rotate {
        let style = tick
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let (bx, by) = area.get_base_pixel();
        for (i, name) in names.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            area.draw(&Text::new(
                name.clone(),
                (px - bx, py - by + 8),
                style.clone(),
            ))?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, TICK))
        .draw()?;
    Ok(())
}

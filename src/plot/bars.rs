//! Stacked bars, one per layer and pass, on any drawing area: the shape the
//! energy, cycle and comparison figures share. The legend has its own strip
//! right of the plot, so it never covers a bar; the y axis is in an
//! SI-scaled unit (mJ, million cycles) so its ticks read plainly.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{color_of, sci, si_scale, FONT, LABEL, TICK};

pub type Error = Box<dyn std::error::Error>;

/// One stack segment kind: its meaning (legend name and colour, see
/// `style::color_of`) and one value per bar, in the base unit.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// Width of the legend strip.
pub const LEGEND_WIDTH: u32 = 190;

/// Pixels a tick label of `chars` characters needs (about 7 per character
/// at the tick size), for the rotated layer names below the bars.
fn label_room(chars: usize) -> u32 {
    (chars as u32 * 7 + 16).clamp(40, 260)
}

/// A legend: one coloured square and name per entry, top down.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[String],
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let style = TextStyle::from((FONT, TICK).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    // Top entry first, as the stack's top segment is the last series.
    for (k, name) in entries.iter().rev().enumerate() {
        let y = 48 + 22 * k as i32;
        let c = color_of(name);
        area.draw(&Rectangle::new([(4, y - 6), (16, y + 6)], c.filled()))?;
        area.draw(&Rectangle::new(
            [(4, y - 6), (16, y + 6)],
            BLACK.stroke_width(1),
        ))?;
        area.draw(&Text::new(name.clone(), (22, y), style.clone()))?;
    }
    Ok(())
}

/// Stacked bars with the legend in a strip at the right of `area`.
/// `unit` is the values' base unit (`pJ`, `cycles`, `bytes`).
pub fn stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    quantity: &str,
    unit: &str,
    labels: &[String],
    series: &[Series],
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let (plot, key) = area.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
    let n = labels.len().max(1);
    let top = (0..labels.len())
        .map(|i| series.iter().map(|s| s.values[i]).sum::<f64>())
        .fold(0.0f64, f64::max);
    let (div, unit_name) = si_scale(top, unit);
    let top = if top > 0.0 { top / div * 1.05 } else { 1.0 };
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    // Rotated when the names side by side would not fit under their bars.
    let room = w.saturating_sub(LEGEND_WIDTH + 80) / n as u32;
    let rotate = label_room(longest) > room;
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, (FONT, LABEL + 1))
        .margin(8)
        .x_label_area_size(if rotate { label_room(longest) } else { 40 })
        .y_label_area_size(62)
        .build_cartesian_2d(0f64..n as f64, 0f64..top)?;
    let names = labels.to_vec();
    let tick = TextStyle::from((FONT, TICK).into_font());
    // Many bars or long names: drawn below, rotated, starting at their bar.
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
        .y_desc(if unit_name.is_empty() {
            quantity.to_string()
        } else {
            format!("{quantity} ({unit_name})")
        })
        .axis_desc_style((FONT, LABEL))
        .draw()?;
    let mut base = vec![0.0; labels.len()];
    for s in series {
        let color = color_of(&s.name);
        let bars: Vec<Rectangle<(f64, f64)>> = (0..labels.len())
            .map(|i| {
                let (lo, hi) = (base[i], base[i] + s.values[i] / div);
                base[i] = hi;
                Rectangle::new(
                    [(i as f64 + 0.15, lo), (i as f64 + 0.85, hi)],
                    color.filled(),
                )
            })
            .collect();
        chart.draw_series(bars)?;
    }
    if rotate {
        let style = tick
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let (bx, by) = plot.get_base_pixel();
        for (i, name) in names.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            plot.draw(&Text::new(
                name.clone(),
                (px - bx, py - by + 8),
                style.clone(),
            ))?;
        }
    }
    // The legend names only what is drawn.
    let entries: Vec<String> = series
        .iter()
        .filter(|s| s.values.iter().any(|&v| v > 0.0))
        .map(|s| s.name.clone())
        .collect();
    legend(&key, &entries)?;
    Ok(())
}

//! `pareto.svg`: a sweep's design points, time against energy in SI-scaled
//! units, each labelled with its varied values and dataflow, with the
//! Pareto front drawn through the points no other point beats on both.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bars::{Error, LEGEND_WIDTH};
use super::style::{color_of, sci, si_scale, FONT, HEIGHT, LABEL, TICK, WIDTH};
use crate::sweep::pareto::front;
use crate::sweep::rows::Row;

pub fn pareto_svg(rows: &[Row], keys: &[String]) -> Result<String, Error> {
    let pts: Vec<Option<(f64, f64)>> = rows.iter().map(Row::time_energy).collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            let mut v: Vec<String> = r.point.values.iter().map(|(_, v)| v.clone()).collect();
            v.push(crate::options::dataflow_name(r.point.dataflow).to_string());
            v.join(" ")
        })
        .collect();
    scatter_svg(&pts, &labels, keys)
}

/// The figure from `(time_us, energy_pj)` per point (None: refused) and
/// each point's label.
pub fn scatter_svg(
    pts: &[Option<(f64, f64)>],
    labels: &[String],
    keys: &[String],
) -> Result<String, Error> {
    let on = front(pts);
    let ran: Vec<(f64, f64)> = pts.iter().flatten().copied().collect();
    let hi = |f: &dyn Fn(&(f64, f64)) -> f64| ran.iter().map(f).fold(0.0f64, f64::max);
    let (tdiv, tunit) = si_scale(hi(&|p| p.0), "µs");
    let (ediv, eunit) = si_scale(hi(&|p| p.1), "pJ");
    let scaled: Vec<Option<(f64, f64)>> = pts
        .iter()
        .map(|p| p.map(|(t, e)| (t / tdiv, e / ediv)))
        .collect();
    let ran: Vec<(f64, f64)> = scaled.iter().flatten().copied().collect();
    let span = |f: &dyn Fn(&(f64, f64)) -> f64| {
        let lo = ran.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = ran.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            (0.0, 1.0)
        } else {
            // Room at the right for the labels.
            let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.03).max(1e-9);
            ((lo - pad).max(0.0), hi + pad * 2.5)
        }
    };
    let (t0, t1) = span(&|p| p.0);
    let (e0, e1) = span(&|p| p.1);
    let mut line: Vec<(f64, f64)> = scaled
        .iter()
        .zip(&on)
        .filter_map(|(p, &o)| if o { *p } else { None })
        .collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH + LEGEND_WIDTH, HEIGHT + 60))
            .into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, key) = root.split_horizontally(WIDTH);
        let title = format!("Sweep over {}", keys.join(", "));
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, LABEL + 1))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(t0..t1, e0..e1)?;
        chart
            .configure_mesh()
            .x_desc(format!("time ({tunit})"))
            .y_desc(format!("energy ({eunit})"))
            .axis_desc_style((FONT, LABEL))
            .label_style((FONT, TICK))
            .y_label_formatter(&sci)
            .x_label_formatter(&sci)
            .light_line_style(WHITE)
            .draw()?;
        let (point_c, front_c) = (color_of("rs"), color_of("stall: dram (waiting for DRAM)"));
        let dominated: Vec<(f64, f64)> = scaled
            .iter()
            .zip(&on)
            .filter_map(|(p, &o)| if o { None } else { *p })
            .collect();
        chart.draw_series(
            dominated
                .iter()
                .map(|&p| Circle::new(p, 4, point_c.mix(0.7).filled())),
        )?;
        chart.draw_series(LineSeries::new(
            line.iter().copied(),
            front_c.stroke_width(2),
        ))?;
        chart.draw_series(line.iter().map(|&p| Circle::new(p, 5, front_c.filled())))?;
        let style =
            TextStyle::from((FONT, TICK - 1).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        // Each label just right of its mark; points drawn at about the
        // same place (within 3% of each axis) get theirs one under another.
        let near = |a: (f64, f64), b: (f64, f64)| {
            (a.0 - b.0).abs() <= (t1 - t0) * 0.03 && (a.1 - b.1).abs() <= (e1 - e0) * 0.03
        };
        let mut at: Vec<((f64, f64), Vec<String>)> = Vec::new();
        for (p, l) in scaled.iter().zip(labels) {
            let Some(p) = *p else { continue };
            match at.iter_mut().find(|(q, _)| near(*q, p)) {
                Some((_, v)) => v.push(l.clone()),
                None => at.push((p, vec![l.clone()])),
            }
        }
        for (p, names) in &at {
            let n = names.len() as i32;
            chart.draw_series(names.iter().enumerate().map(|(k, l)| {
                let dy = 12 * k as i32 - 6 * (n - 1);
                EmptyElement::at(*p) + Text::new(l.clone(), (7, dy), style.clone())
            }))?;
        }
        let ks = TextStyle::from((FONT, TICK).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        key.draw(&Circle::new((12, 48), 4, point_c.filled()))?;
        key.draw(&Text::new("design point", (22, 48), ks.clone()))?;
        key.draw(&PathElement::new(
            [(4, 70), (20, 70)],
            front_c.stroke_width(2),
        ))?;
        key.draw(&Circle::new((12, 70), 5, front_c.filled()))?;
        key.draw(&Text::new("Pareto front", (22, 70), ks.clone()))?;
        key.draw(&Text::new("labels: the point's", (4, 100), ks.clone()))?;
        key.draw(&Text::new(keys.join(", ") + ", dataflow", (4, 116), ks))?;
        root.present()?;
    }
    Ok(svg)
}

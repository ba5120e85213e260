//! Sizes, fonts and colours shared by the figures: sized for a paper column
//! (about 3.5 in wide at 150 dpi), with labels large enough to read there.

use plotters::style::RGBColor;

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 420;
pub const FONT: &str = "sans-serif";
pub const CAPTION: u32 = 20;
pub const LABEL: u32 = 15;
pub const TICK: u32 = 12;

/// A colour-blind-safe palette (Okabe-Ito).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

/// Short label of a layer and pass: the layer without its network prefix.
pub fn bar_label(layer: &str, pass: crate::options::PassKind, passes_differ: bool) -> String {
    let short = layer.rsplit('.').next().unwrap_or(layer);
    if passes_differ {
        format!("{short} {}", format!("{pass:?}").to_lowercase())
    } else {
        short.to_string()
    }
}

/// A tick label in at most three significant digits: `6e9`, `2.5e7`, `0`.
pub fn sci(y: &f64) -> String {
    if *y == 0.0 {
        return "0".to_string();
    }
    if y.abs() >= 1e-2 && y.abs() < 1e4 {
        let s = format!("{y:.2}");
        return s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let s = format!("{y:.2e}");
    match s.split_once('e') {
        Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
        None => s,
    }
}

/// Light to dark blue for a utilisation in 0..=1.
pub fn shade(u: f64) -> RGBColor {
    let u = if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |lo: f64, hi: f64| (lo + (hi - lo) * u).round() as u8;
    RGBColor(mix(247.0, 8.0), mix(251.0, 48.0), mix(255.0, 107.0))
}

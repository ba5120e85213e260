//! Sizes, fonts and colours shared by the figures: sized for a paper column
//! (about 3.5 in wide at 150 dpi), with labels large enough to read there.

use plotters::style::RGBColor;

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 420;
pub const FONT: &str = "sans-serif";
pub const CAPTION: u32 = 20;
pub const LABEL: u32 = 15;
pub const TICK: u32 = 12;

/// One colour per meaning, the same in every figure and panel: Okabe-Ito
/// first, then Paul Tol's muted scheme for the meanings beyond it.
pub fn color_of(meaning: &str) -> RGBColor {
    match meaning {
        // Cycles: computing, the simulation's stall causes, an estimate.
        "compute" => RGBColor(0, 114, 178),
        "stall: pass_start" => RGBColor(86, 180, 233),
        "stall: networks" => RGBColor(0, 158, 115),
        "stall: drain" => RGBColor(204, 121, 167),
        "stall: glb_bank" => RGBColor(240, 228, 66),
        "stall: dram (waiting for DRAM)" => RGBColor(213, 94, 0),
        "estimated (not simulated)" => RGBColor(170, 170, 170),
        // On-chip energy by level.
        "RF" => RGBColor(51, 34, 136),
        "NoC" => RGBColor(136, 204, 238),
        "MAC" => RGBColor(68, 170, 153),
        "GLB" => RGBColor(17, 119, 51),
        "chip static" => RGBColor(153, 153, 51),
        // DRAM energy by data type, and its static part.
        "DRAM ifmap" => RGBColor(221, 204, 119),
        "DRAM filter" => RGBColor(204, 102, 119),
        "DRAM psum" => RGBColor(136, 34, 85),
        "DRAM ofmap" => RGBColor(170, 68, 153),
        "DRAM static" => RGBColor(90, 90, 90),
        // Totals and dataflows.
        "on-chip" => RGBColor(17, 119, 51),
        "DRAM" => RGBColor(136, 34, 85),
        "utilisation" => RGBColor(68, 119, 170),
        "rs" => RGBColor(0, 114, 178),
        "gflow" => RGBColor(230, 159, 0),
        _ => RGBColor(0, 0, 0),
    }
}

/// A unit scaled so the largest value reads between 1 and 1000: the
/// divisor and the unit's name, e.g. `(1e9, "mJ")` for pJ values of 3.5e9.
pub fn si_scale(max: f64, base: &str) -> (f64, String) {
    // (power of ten over the base unit, prefixed name) per base.
    let steps: &[(i32, &str)] = match base {
        "pJ" => &[(0, "pJ"), (3, "nJ"), (6, "µJ"), (9, "mJ"), (12, "J")],
        "µs" => &[(0, "µs"), (3, "ms"), (6, "s")],
        "cycles" => &[
            (0, "cycles"),
            (3, "thousand cycles"),
            (6, "million cycles"),
            (9, "billion cycles"),
        ],
        "bytes" => &[(0, "bytes"), (3, "kB"), (6, "MB"), (9, "GB")],
        _ => &[(0, "")],
    };
    let mut pick = steps[0];
    for &st in steps {
        if max >= 10f64.powi(st.0) {
            pick = st;
        }
    }
    let name = if pick.1.is_empty() {
        base.to_string()
    } else {
        pick.1.to_string()
    };
    (10f64.powi(pick.0), name)
}

/// "arch A, pass P" for a title, naming every arch and pass shown.
pub fn scope(archs: &[&str], passes: &[crate::options::PassKind]) -> String {
    let mut a: Vec<&str> = Vec::new();
    for x in archs {
        if !a.contains(x) {
            a.push(x);
        }
    }
    let mut p: Vec<String> = Vec::new();
    for x in passes {
        let n = format!("{x:?}").to_lowercase();
        if !p.contains(&n) {
            p.push(n);
        }
    }
    format!(
        "arch {}, pass{} {}",
        a.join(", "),
        if p.len() > 1 { "es" } else { "" },
        p.join(", ")
    )
}

/// The bar label of a layer and pass: the full layer name, with the pass
/// when the figure shows several.
pub fn bar_label(layer: &str, pass: crate::options::PassKind, passes_differ: bool) -> String {
    if passes_differ {
        format!("{layer} {}", format!("{pass:?}").to_lowercase())
    } else {
        layer.to_string()
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

//! `--plot DIR`: SVG figures of a run, drawn with plotters' SVG backend
//! (text as `<text>` elements, so no system fonts are needed):
//! - `energy.svg`: energy per layer and pass, on chip by level and, beside
//!   it, in DRAM by data type;
//! - `cycles.svg`: cycles per layer and pass, split into computing and the
//!   simulation's stall causes (DRAM waiting named), estimates in grey;
//! - `pe_utilisation_<layer>_<pass>_<dataflow>.svg`: per-PE utilisation
//!   over the whole layer on the physical array (simulated layers), else
//!   of one 2-D convolution on its logical PE set;
//! - with `--compare`, `compare_<layer>_<pass>.svg` per layer-pass: both
//!   dataflows' cycles, energy, DRAM bytes and utilisation;
//! - for a sweep, `pareto.svg`: the energy-latency scatter and its front.

mod bars;

mod compare;
mod cycles;
mod energy;
mod heatmap;
mod pareto;
mod style;

use std::path::Path;

use crate::backend::PassReport;
use crate::diag::{Code, Diagnostic};
use crate::sweep::rows::Row;

pub use compare::compare_svg;
pub use cycles::cycles_svg;
pub use energy::energy_svg;
pub use heatmap::heatmap_svg;
pub use pareto::{pareto_svg, scatter_svg};

/// Why a figure failed, as a diagnostic.
fn failed(what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(Code::PlotFailed, format!("cannot make {what}: {e}"))
        .with_help("check that the --plot directory can be created and written")
}

fn write(dir: &Path, name: &str, svg: &str) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(dir).map_err(|e| failed(&format!("`{}`", dir.display()), e))?;
    let path = dir.join(name);
    crate::io::outfile::write_whole(&path, svg.as_bytes())
        .map_err(|e| failed(&format!("`{}`", path.display()), e))
}

/// A file-name-safe form of a layer name.
fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The dataflows of one `--compare` layer-pass: rs, gflow, rs-split, auto.
const COMPARE_SIDES: usize = 4;

/// Writes the figures of `reports` into `dir`; `compared`: the reports are
/// `--compare` layer-passes, [`COMPARE_SIDES`] reports each (rs, gflow,
/// rs-split, auto), and each gets its figure too.
pub fn write_figures(dir: &Path, reports: &[PassReport], compared: bool) -> Result<(), Diagnostic> {
    write(
        dir,
        "energy.svg",
        &energy_svg(reports).map_err(|e| failed("energy.svg", e))?,
    )?;
    write(
        dir,
        "cycles.svg",
        &cycles_svg(reports).map_err(|e| failed("cycles.svg", e))?,
    )?;
    for r in reports {
        let name = format!(
            "pe_utilisation_{}_{}_{}.svg",
            file_part(&r.layer),
            format!("{:?}", r.pass).to_lowercase(),
            crate::options::dataflow_name(r.dataflow)
        );
        write(dir, &name, &heatmap_svg(r).map_err(|e| failed(&name, e))?)?;
    }
    if compared {
        for sides in reports.chunks_exact(COMPARE_SIDES) {
            let name = format!(
                "compare_{}_{}.svg",
                file_part(&sides[0].layer),
                format!("{:?}", sides[0].pass).to_lowercase()
            );
            if let Some(svg) = compare_svg(sides).map_err(|e| failed(&name, e))? {
                write(dir, &name, &svg)?;
            }
        }
    }
    Ok(())
}

/// `--plot DIR` on a run: writes the figures of the reports the run built
/// (so they show exactly the printed figures, computed once). Nothing to do
/// without `--plot`.
pub fn run_figures(
    dir: Option<&Path>,
    reports: &[PassReport],
    compared: bool,
) -> Result<(), Vec<Diagnostic>> {
    let Some(dir) = dir else { return Ok(()) };
    write_figures(dir, reports, compared).map_err(|d| vec![d])
}

/// `cnnc sweep --plot DIR`: the energy-latency scatter of the points.
/// Its title names the varied keys only, so that `sweep-merge` (whose
/// inputs do not name the arch or passes) draws the same figure.
pub fn sweep_figure(dir: &Path, rows: &[Row], keys: &[String]) -> Result<(), Diagnostic> {
    let svg = pareto_svg(rows, keys).map_err(|e| failed("pareto.svg", e))?;
    write(dir, "pareto.svg", &svg)
}

/// `cnnc sweep-merge --plot DIR`: the same figure from the merged points.
pub fn merged_figure(dir: &Path, merged: &crate::sweep::merge::Merged) -> Result<(), Diagnostic> {
    let svg = scatter_svg(&merged.points, &merged.labels, &merged.keys)
        .map_err(|e| failed("pareto.svg", e))?;
    write(dir, "pareto.svg", &svg)
}

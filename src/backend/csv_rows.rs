//! `--format csv`: one row per layer, pass and dataflow, for a spreadsheet.
//! Units are in the column names; a pass whose whole-layer figures were
//! refused keeps its pass figures and says why in `layer_refused`.

use crate::backend::PassReport;
use crate::cost::layer::LayerStats;
use crate::diag::Diagnostic;

/// The columns, in order (docs/stats.md, section "CSV results").
pub const COLUMNS: &[&str] = &[
    "layer",
    "pass",
    "dataflow",
    "gflow_group",
    "arch",
    "pe_set",
    "mapping",
    "pass_cycles",
    "macs",
    "zero_macs",
    "cycles",
    "cycles_from",
    "bound",
    "stall_pass_start_cycles",
    "stall_networks_cycles",
    "stall_drain_cycles",
    "stall_glb_bank_cycles",
    "stall_dram_cycles",
    "estimate_cycles",
    "compute_cycles",
    "collect_cycles",
    "load_cycles",
    "psum_return_cycles",
    "dram_link_cycles",
    "time_us",
    "utilisation",
    "ideal_cycles",
    "ideal_bound_by",
    "active_pes",
    "array_pes",
    "glb_bytes",
    "dram_bytes",
    "energy_pj",
    "energy_rf_pj",
    "energy_noc_pj",
    "energy_mac_pj",
    "energy_glb_pj",
    "energy_dram_pj",
    "energy_static_pj",
    "energy_ifmap_pj",
    "energy_filter_pj",
    "energy_psum_pj",
    "energy_ofmap_pj",
    "energy_compute_pj",
    "energy_dram_static_pj",
    "energy_chip_static_pj",
    "verified",
    "layer_refused",
];

/// Quotes a field when it holds a separator, a quote or a line break.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn header() -> String {
    COLUMNS.join(",") + "\n"
}

fn lower<T: std::fmt::Debug>(x: T) -> String {
    format!("{x:?}").to_lowercase()
}

/// What bound the layer's cycles, named by its field. Simulated: the
/// largest of the computing cycles (`compute`: the cycles beyond every
/// stall) and each `stall_cycles` cause (`stall_dram`, ...). Estimated: the
/// estimate's longest term (`compute_cycles`, `dram_link_cycles`, ...).
pub fn bound(l: &LayerStats) -> &'static str {
    let pick = |terms: &[(&'static str, u64)]| {
        // The first of equal terms wins, so the name is deterministic.
        terms
            .iter()
            .fold(("", 0u64), |b, &(n, v)| {
                if v > b.1 || b.0.is_empty() {
                    (n, v)
                } else {
                    b
                }
            })
            .0
    };
    if l.cycles_from == "simulation" {
        let s = &l.stall_cycles;
        let stalls = s.pass_start + s.networks + s.drain + s.glb_bank + s.dram;
        pick(&[
            ("compute", l.cycles.saturating_sub(stalls)),
            ("stall_pass_start", s.pass_start),
            ("stall_networks", s.networks),
            ("stall_drain", s.drain),
            ("stall_glb_bank", s.glb_bank),
            ("stall_dram", s.dram),
        ])
    } else {
        let x = &l.estimate;
        pick(&[
            ("compute_cycles", x.compute_cycles),
            ("collect_cycles", x.collect_cycles),
            ("load_cycles", x.load_cycles),
            ("psum_return_cycles", x.psum_return_cycles),
            ("dram_link_cycles", x.dram_link_cycles),
        ])
    }
}

/// The row of one report (no line break).
pub fn row(r: &PassReport) -> String {
    let p = &r.pass_stats;
    let mut f: Vec<String> = vec![
        field(&r.layer),
        lower(r.pass),
        crate::options::dataflow_name(r.dataflow).to_string(),
        r.gflow_group.to_string(),
        field(&r.arch),
        format!("{}x{}", r.pe_set.rows, r.pe_set.cols),
    ];
    match &r.layer_stats {
        Some(l) => {
            let e = &l.energy_pj;
            let t = &e.by_type;
            let st = &l.stall_cycles;
            let x = &l.estimate;
            f.push(l.mapping_text());
            f.push(p.cycles.to_string());
            f.extend([
                l.macs.to_string(),
                l.zero_macs.to_string(),
                l.cycles.to_string(),
                l.cycles_from.to_string(),
                bound(l).to_string(),
            ]);
            f.extend(
                [
                    st.pass_start,
                    st.networks,
                    st.drain,
                    st.glb_bank,
                    st.dram,
                    x.cycles,
                    x.compute_cycles,
                    x.collect_cycles,
                    x.load_cycles,
                    x.psum_return_cycles,
                    x.dram_link_cycles,
                ]
                .map(|v| v.to_string()),
            );
            f.extend([
                l.time_us.to_string(),
                l.utilisation.to_string(),
                l.ideal_cycles.to_string(),
                l.bound_by.to_string(),
                l.active_pes.to_string(),
                l.array_pes.to_string(),
                l.glb_bytes.to_string(),
                l.dram_bytes.to_string(),
            ]);
            // By level and by type, each set adding up to `energy_pj`.
            f.extend(
                [
                    e.total,
                    e.rf,
                    e.noc,
                    e.mac,
                    e.glb,
                    e.dram,
                    e.static_power,
                    t.ifmap.total,
                    t.filter.total,
                    t.psum.total,
                    t.ofmap.total,
                    t.compute,
                    t.dram_static,
                    t.chip_static,
                ]
                .map(|x| x.to_string()),
            );
        }
        None => {
            // The pass figures still hold for the logical PE set.
            f.extend([String::new(), p.cycles.to_string()]);
            f.extend([p.macs.to_string(), p.zero_macs.to_string()]);
            f.extend(std::iter::repeat_n(String::new(), COLUMNS.len() - 12));
        }
    }
    f.push(p.verified.to_string());
    f.push(field(
        &r.layer_refused
            .as_ref()
            .map(super::report::refusal_line)
            .unwrap_or_default(),
    ));
    debug_assert_eq!(f.len(), COLUMNS.len());
    f.join(",")
}

/// A row that is not a layer-pass (an operator not costed): its name,
/// every figure empty, and `note` in `layer_refused`.
pub fn note_row(name: &str, note: &str) -> String {
    COLUMNS
        .iter()
        .map(|&c| match c {
            "layer" => field(name),
            "layer_refused" => field(note),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Header and one row per report, in the order given.
pub fn table(reports: &[PassReport]) -> String {
    let mut s = header();
    for r in reports {
        s.push_str(&row(r));
        s.push('\n');
    }
    s
}

/// `--compare --format csv`: every dataflow of each layer and pass, one row
/// each; a dataflow the layer cannot run with has only its names and the
/// refusal (in `layer_refused`).
pub fn compare_table(rows: &[(String, String, String, &Result<PassReport, Diagnostic>)]) -> String {
    let mut s = header();
    for (layer, pass, dataflow, side) in rows {
        match side {
            Ok(r) => s.push_str(&row(r)),
            Err(d) => {
                let mut f = vec![field(layer), pass.clone(), dataflow.clone()];
                f.extend(std::iter::repeat_n(String::new(), COLUMNS.len() - 4));
                f.push(field(&format!("error[{}]: {}", d.code, d.message)));
                s.push_str(&f.join(","));
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("plain"), "plain");
    }
}

//! The sweep's output: one CSV row or one JSON line per design point.
//! JSON is JSON Lines (one object per line) so that shard outputs, like CSV
//! ones, concatenate into the whole. `pareto` is empty (CSV) or null (JSON)
//! when the run did not see every point (a shard, or `--no-pareto`).

use super::point::{Cost, Outcome};
use super::spec::Point;
use crate::backend::csv_rows::field;

/// The columns after the varied keys.
pub const FIGURES: &[&str] = &[
    "dataflow",
    "cycles",
    "time_us",
    "energy_pj",
    "energy_rf_pj",
    "energy_noc_pj",
    "energy_mac_pj",
    "energy_glb_pj",
    "energy_dram_pj",
    "energy_static_pj",
    "dram_bytes",
    "utilisation",
    "cycles_from",
    "estimate_cycles",
    "stall_dram_cycles",
    "bound",
    "mapping",
    "refused",
    "pareto",
];

/// One evaluated design point.
#[derive(Debug, Clone)]
pub struct Row {
    pub point: Point,
    pub outcome: Outcome,
    pub pareto: Option<bool>,
}

impl Row {
    /// `(time_us, energy_pj)` of a point that ran.
    pub fn time_energy(&self) -> Option<(f64, f64)> {
        self.outcome.as_ref().ok().map(|c| (c.time_us, c.energy_pj))
    }
}

pub fn csv_header(keys: &[String]) -> String {
    let mut cols = vec!["point".to_string()];
    cols.extend(keys.iter().map(|k| field(k)));
    cols.extend(FIGURES.iter().map(|s| s.to_string()));
    cols.join(",") + "\n"
}

fn dataflow_name(r: &Row) -> String {
    crate::options::dataflow_name(r.point.dataflow).to_string()
}

fn figures(c: &Cost) -> [String; 10] {
    [
        c.cycles.to_string(),
        c.time_us.to_string(),
        c.energy_pj.to_string(),
        c.energy_rf_pj.to_string(),
        c.energy_noc_pj.to_string(),
        c.energy_mac_pj.to_string(),
        c.energy_glb_pj.to_string(),
        c.energy_dram_pj.to_string(),
        c.energy_static_pj.to_string(),
        c.dram_bytes.to_string(),
    ]
}

pub fn csv_row(r: &Row) -> String {
    let mut f = vec![r.point.index.to_string()];
    f.extend(r.point.values.iter().map(|(_, v)| field(v)));
    f.push(dataflow_name(r));
    match &r.outcome {
        Ok(c) => {
            f.extend(figures(c));
            f.push(c.utilisation().to_string());
            f.extend([
                c.cycles_from().to_string(),
                c.estimate_cycles.to_string(),
                c.stall_dram_cycles.to_string(),
                c.bound().to_string(),
                field(&c.mapping()),
            ]);
            f.push(String::new());
        }
        Err(why) => {
            f.extend(std::iter::repeat_n(String::new(), 16));
            f.push(field(why));
        }
    }
    f.push(r.pareto.map_or(String::new(), |p| p.to_string()));
    f.join(",") + "\n"
}

pub fn json_row(r: &Row) -> String {
    use serde_json::{json, Map, Value};
    let arch: Map<String, Value> = r
        .point
        .values
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut o = json!({
        "schema_version": crate::schema::SCHEMA_VERSION,
        "point": r.point.index,
        "arch": arch,
        "dataflow": dataflow_name(r),
        "pareto": r.pareto,
    });
    match &r.outcome {
        Ok(c) => {
            for (name, v) in [
                ("cycles", json!(c.cycles)),
                ("time_us", json!(c.time_us)),
                ("energy_pj", json!(c.energy_pj)),
                ("energy_rf_pj", json!(c.energy_rf_pj)),
                ("energy_noc_pj", json!(c.energy_noc_pj)),
                ("energy_mac_pj", json!(c.energy_mac_pj)),
                ("energy_glb_pj", json!(c.energy_glb_pj)),
                ("energy_dram_pj", json!(c.energy_dram_pj)),
                ("energy_static_pj", json!(c.energy_static_pj)),
                ("dram_bytes", json!(c.dram_bytes)),
            ] {
                o[name] = v;
            }
            o["utilisation"] = json!(c.utilisation());
            o["cycles_from"] = json!(c.cycles_from());
            o["estimate_cycles"] = json!(c.estimate_cycles);
            o["stall_dram_cycles"] = json!(c.stall_dram_cycles);
            o["bound"] = json!(c.bound());
            o["mapping"] = json!(c.mapping());
            o["refused"] = Value::Null;
        }
        Err(why) => o["refused"] = json!(why),
    }
    o.to_string() + "\n"
}

/// The text of `rows` in the chosen format; the CSV header only when the
/// rows start the sweep (so shard 1 carries it and the rest do not).
pub fn render(rows: &[Row], keys: &[String], csv: bool, with_header: bool) -> String {
    let mut s = String::new();
    if csv && with_header {
        s.push_str(&csv_header(keys));
    }
    for r in rows {
        s.push_str(&if csv { csv_row(r) } else { json_row(r) });
    }
    s
}

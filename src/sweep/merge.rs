//! `cnnc sweep-merge`: the shard outputs of one sweep, joined in order, with
//! the Pareto column filled in. The result is byte for byte what the
//! unsharded `cnnc sweep` prints, because shards leave exactly that column
//! empty and everything else in a row depends only on its own point.

use crate::diag::{Code, Diagnostic};

use super::pareto::front;

fn bad(why: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::BadMerge, why).with_help(
        "give every shard's output of one sweep, in shard order: `cnnc sweep-merge s1.csv s2.csv ...`",
    )
}

/// Joins the texts of the shards (already read, in shard order).
/// The merged output, with what its figure needs.
#[derive(Debug)]
pub struct Merged {
    pub text: String,
    /// `(time_us, energy_pj)` per point in order; None for a refused point.
    pub points: Vec<Option<(f64, f64)>>,
    /// The varied keys.
    pub keys: Vec<String>,
    /// Each point's varied values and dataflow, for the figure's labels.
    pub labels: Vec<String>,
}

pub fn merge(texts: &[String]) -> Result<Merged, Diagnostic> {
    let all: String = texts.concat();
    if all.trim_start().starts_with('{') {
        merge_json(&all)
    } else {
        merge_csv(&all)
    }
}

fn check_order(points: &[usize]) -> Result<(), Diagnostic> {
    for (i, &p) in points.iter().enumerate() {
        if p != i {
            return Err(bad(format!(
                "point {i} is missing or out of order (found point {p} in its place)"
            )));
        }
    }
    Ok(())
}

fn merge_json(all: &str) -> Result<Merged, Diagnostic> {
    let lines: Vec<&str> = all.lines().collect();
    let mut points = Vec::new();
    let mut te = Vec::new();
    let mut labels = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| bad(format!("line {}: not a sweep JSON line: {e}", n + 1)))?;
        // Rows are rewritten as text, not re-serialised, so nothing but
        // the Pareto flag can change.
        if !v.get("pareto").is_some_and(|p| p.is_null()) || line.matches(PARETO_NULL).count() != 1 {
            return Err(bad(format!(
                "line {}: its `pareto` is already set; merge the outputs of `--shard` runs",
                n + 1
            )));
        }
        points.push(v["point"].as_u64().map_or(usize::MAX, |p| p as usize));
        te.push(v["time_us"].as_f64().zip(v["energy_pj"].as_f64()));
        let mut label: Vec<String> = v["arch"]
            .as_object()
            .map(|m| {
                m.values()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        label.extend(v["dataflow"].as_str().map(String::from));
        labels.push(label.join(" "));
    }
    check_order(&points)?;
    let keys: Vec<String> = lines
        .first()
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["arch"].as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    let on = front(&te);
    let mut out = String::new();
    for (line, p) in lines.iter().zip(on) {
        out.push_str(&line.replace(PARETO_NULL, &format!("\"pareto\":{p}")));
        out.push('\n');
    }
    Ok(Merged {
        text: out,
        points: te,
        keys,
        labels,
    })
}

/// How a shard writes the flag it cannot know.
const PARETO_NULL: &str = "\"pareto\":null";

fn merge_csv(all: &str) -> Result<Merged, Diagnostic> {
    let mut lines = all.lines();
    let header = lines.next().ok_or_else(|| bad("the inputs are empty"))?;
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| {
        cols.iter().position(|c| *c == name).ok_or_else(|| {
            bad(format!(
                "the first input has no `{name}` column; shard 1 carries the header"
            ))
        })
    };
    let (point, time, energy) = (col("point")?, col("time_us")?, col("energy_pj")?);
    if cols.last() != Some(&"pareto") {
        return Err(bad("the last column is not `pareto`"));
    }
    let body: Vec<&str> = lines.collect();
    let mut points = Vec::new();
    let mut te = Vec::new();
    let mut labels = Vec::new();
    let dataflow = cols
        .iter()
        .position(|c| *c == "dataflow")
        .unwrap_or(point + 1);
    for (n, line) in body.iter().enumerate() {
        if *line == header {
            return Err(bad(format!(
                "line {}: a second header; give shard 1 first",
                n + 2
            )));
        }
        if !line.ends_with(',') {
            return Err(bad(format!(
                "line {}: its `pareto` is already set; merge the outputs of `--shard` runs",
                n + 2
            )));
        }
        let rec = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .and_then(Result::ok)
            .filter(|r| r.len() == cols.len())
            .ok_or_else(|| bad(format!("line {}: not a row of this sweep", n + 2)))?;
        points.push(rec[point].parse::<usize>().unwrap_or(usize::MAX));
        te.push(
            rec[time]
                .parse::<f64>()
                .ok()
                .zip(rec[energy].parse::<f64>().ok()),
        );
        labels.push(
            (point + 1..=dataflow)
                .filter_map(|i| rec.get(i))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    check_order(&points)?;
    let on = front(&te);
    let mut out = format!("{header}\n");
    for (line, p) in body.iter().zip(on) {
        out.push_str(line);
        out.push_str(if p { "true" } else { "false" });
        out.push('\n');
    }
    let keys = cols
        .get(point + 1..dataflow)
        .unwrap_or_default()
        .iter()
        .map(|s| s.to_string())
        .collect();
    Ok(Merged {
        text: out,
        points: te,
        keys,
        labels,
    })
}

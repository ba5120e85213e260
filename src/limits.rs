//! Checks that a report holds only finite numbers, so that no energy, time
//! or ratio reaches a user as `inf`, `NaN` or JSON `null`: a run whose
//! figures overflow (`energy.glb = 1e307 pJ` times a billion bytes) is
//! refused with E0211 instead.

use serde::Serialize;
use serde_json::Value;

/// The fields of `v` that serialise to JSON `null`. For a report type
/// without `Option` fields (e.g. `LayerStats`) these are exactly its
/// non-finite floats, which serde_json writes as `null`.
pub fn null_fields(v: &impl Serialize) -> Vec<String> {
    let mut out = Vec::new();
    match serde_json::to_value(v) {
        Ok(value) => walk(&value, String::new(), &mut out),
        Err(e) => out.push(format!("(not serialisable: {e})")),
    }
    out
}

fn walk(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, p, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct R {
        a: f64,
        b: Vec<f64>,
    }

    #[test]
    fn finds_infinities_and_nans() {
        let r = R {
            a: f64::INFINITY,
            b: vec![1.0, f64::NAN],
        };
        assert_eq!(null_fields(&r), ["a", "b[1]"]);
        assert!(null_fields(&R { a: 1.0, b: vec![] }).is_empty());
    }
}

//! The version of the JSON cnnc writes. Every JSON document (a report, a
//! network's or `--compare`'s output, `--emit ast`, `cnnc dram`) and every
//! line of the JSON-lines outputs (`--diagnostics json`, sweep rows)
//! carries `"schema_version"`; docs/schema.md describes each document at
//! this version. The number changes when a field is removed, renamed or
//! changes meaning; added fields keep it.

/// The current version (docs/schema.md).
pub const SCHEMA_VERSION: u64 = 1;

/// The field's name in every document.
pub const KEY: &str = "schema_version";

/// `v` with `schema_version` set: on `v` itself if it is an object, on each
/// element if it is an array of objects (a layer's `--pass all` report).
pub fn stamped(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(m) => {
            m.insert(KEY.to_string(), SCHEMA_VERSION.into());
        }
        serde_json::Value::Array(items) => {
            for item in items {
                if let serde_json::Value::Object(m) = item {
                    m.insert(KEY.to_string(), SCHEMA_VERSION.into());
                }
            }
        }
        _ => {}
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_and_arrays_of_objects_are_stamped() {
        let v = stamped(serde_json::json!({ "a": 1 }));
        assert_eq!(v[KEY], SCHEMA_VERSION);
        let v = stamped(serde_json::json!([{ "a": 1 }, { "b": 2 }]));
        assert!(v
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o[KEY] == SCHEMA_VERSION));
    }
}

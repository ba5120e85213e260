//! The files a user of the project expects beside the code: the licence
//! Cargo.toml names, a citation that matches the version, and the
//! version of the JSON schema documented where docs/schema.md says.

use crate::common::path;

fn read(f: &str) -> String {
    std::fs::read_to_string(path(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn licence_citation_and_schema_agree_with_the_code() {
    let cargo = read("Cargo.toml");
    assert!(cargo.contains("license = \"MIT\""));
    assert!(read("LICENSE").starts_with("MIT License"));
    let citation = read("CITATION.cff");
    assert!(citation.contains("license: MIT"));
    assert!(citation.contains(&format!("version: {}", env!("CARGO_PKG_VERSION"))));
    let schema = read("docs/schema.md");
    assert!(schema.starts_with(&format!(
        "# The JSON cnnc writes (schema version {})",
        cnnc::schema::SCHEMA_VERSION
    )));
}

/// Every JSON document carries the version: a layer report, a network's,
/// `--pass all`'s array (in each element), `--emit ast` and diagnostics.
#[test]
fn every_json_document_carries_its_schema_version() {
    let v = cnnc::schema::SCHEMA_VERSION;
    let conv4 = path("examples/conv4.cnn");
    let tiny = path("examples/tiny_s1.cnn");
    for args in [
        vec![conv4.as_str(), "--format", "json"],
        vec![conv4.as_str(), "--format", "json", "--emit", "ast"],
        vec![tiny.as_str(), "--format", "json"],
    ] {
        let (code, out, err) = crate::common::run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let j: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(j["schema_version"], v, "{args:?}");
    }
    let (code, out, _) = crate::common::run(&[tiny.as_str(), "--format", "json", "--pass", "all"]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let docs = j.as_array().cloned().unwrap_or_else(|| vec![j]);
    assert!(docs.iter().all(|d| d["schema_version"] == v), "{out}");
    let (code, _, err) =
        crate::common::run(&[&path("tests/ui/negative.cnn"), "--diagnostics", "json"]);
    assert_eq!(code, 1);
    for line in err.lines() {
        let d: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(d["schema_version"], v, "{line}");
    }
}

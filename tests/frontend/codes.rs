//! The code table (`cnnc::diag::Code`, checked for duplicates when cnnc is
//! compiled) and its mirror in docs/language.md agree: every code is
//! documented once, with the line `Code::doc` gives it, and the docs name
//! no code the table lacks. Diagnostics take a `Code`, so an unlisted code
//! cannot be raised; a last check keeps code strings out of the sources.

use std::collections::BTreeMap;

use cnnc::diag::Code;

fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The rows `` | `E0000` | line | `` of docs/language.md: code -> lines.
fn documented() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("| `E") else {
            continue;
        };
        let Some((digits, rest)) = rest.split_once("` | ") else {
            continue;
        };
        let Some(doc) = rest.strip_suffix(" |") else {
            continue;
        };
        rows.entry(format!("E{digits}"))
            .or_default()
            .push(doc.to_string());
    }
    rows
}

#[test]
fn docs_table_matches_the_codes() {
    let rows = documented();
    let mut wrong = Vec::new();
    for &c in Code::ALL {
        match rows.get(c.as_str()).map(Vec::as_slice) {
            None => wrong.push(format!("{c} is not documented")),
            Some([doc]) if doc == c.doc() => {}
            Some([doc]) => wrong.push(format!("{c} is documented as `{doc}`")),
            Some(_) => wrong.push(format!("{c} is documented more than once")),
        }
    }
    for code in rows.keys() {
        if Code::from_code(code).is_none() {
            wrong.push(format!("{code} is documented but not in the code table"));
        }
    }
    let want: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("| `{c}` | {} |", c.doc()))
        .collect();
    assert!(
        wrong.is_empty(),
        "docs/language.md and src/diag/codes.rs disagree:\n{}\nthe rows should read:\n{}",
        wrong.join("\n"),
        want.join("\n")
    );
}

#[test]
fn codes_are_listed_once_in_order() {
    assert!(Code::ALL.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
    for &c in Code::ALL {
        assert_eq!(Code::from_code(c.as_str()), Some(c));
        assert_eq!(c.to_string(), c.as_str());
    }
}

fn literals(dir: &std::path::Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            literals(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("diag/codes.rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, _) in text.match_indices("\"E0") {
                if text[i + 3..].starts_with(|c: char| c.is_ascii_digit()) {
                    out.push(format!("{}: {}", p.display(), &text[i..i + 7]));
                }
            }
        }
    }
}

#[test]
fn no_code_literals_outside_the_table() {
    let mut found = Vec::new();
    literals(&root().join("src"), &mut found);
    assert!(
        found.is_empty(),
        "use a `Code` variant, not a string:\n{}",
        found.join("\n")
    );
}

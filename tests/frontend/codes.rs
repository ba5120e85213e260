//! Every diagnostic code the sources raise is listed in the code table
//! (`src/diag/codes.rs`, mirrored in docs/language.md), and no code is listed twice.

use cnnc::diag::codes::TABLE;

fn literals(dir: &std::path::Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            literals(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("codes.rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, _) in text.match_indices("\"E0") {
                let code = &text[i + 1..i + 6];
                if code[1..].chars().all(|c| c.is_ascii_digit()) {
                    out.push(code.to_string());
                }
            }
        }
    }
}

#[test]
fn every_raised_code_is_in_the_table() {
    let mut found = Vec::new();
    literals(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(!found.is_empty());
    for code in found {
        assert!(
            TABLE.iter().any(|(c, _)| *c == code),
            "{code} is raised but not in the code table"
        );
    }
    let mut codes: Vec<&str> = TABLE.iter().map(|(c, _)| *c).collect();
    codes.sort();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n, "a code is listed twice");
}

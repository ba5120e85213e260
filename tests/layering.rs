//! The stages import one way only: a module may use the stages below it,
//! never one above (docs/architecture.md, "Stages"). Every top-level module
//! of `src/` must have a rank here, so a new module states its place.

use std::collections::BTreeMap;
use std::path::Path;

/// Top-level modules, bottom first. A module may import only modules of a
/// strictly lower rank (and itself).
const RANKS: &[(&str, u32)] = &[
    ("options", 0),
    ("model", 0),
    ("schema", 0),
    ("vocab", 1),
    ("parallel", 1),
    ("diag", 1),
    ("io", 1),
    ("progress", 1),
    ("import", 2),
    ("dram", 2),
    ("syntax", 2),
    ("check", 3),
    ("frontend", 4),
    ("bytecode", 5),
    ("ir", 6),
    ("limits", 7),
    ("passes", 8),
    ("sim", 9),
    ("cost", 10),
    ("stats", 11),
    ("backend", 12),
    ("cli", 13),
    ("lsp", 13),
    ("sweep", 13),
    ("plot", 14),
    ("flags", 14),
    ("api", 14),
    ("driver", 15),
    ("main", 16),
    ("lib", 16),
];

fn rank(module: &str) -> Option<u32> {
    RANKS.iter().find(|(m, _)| *m == module).map(|&(_, r)| r)
}

/// `src/a/b.rs` and `src/a.rs` belong to module `a`.
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap();
    let first = rel.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every `crate::name` in the file, with its line number.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + 7..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((i + 1, name));
            rest = tail;
        }
    }
    out
}

#[test]
fn stages_import_only_downwards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut broken = Vec::new();
    let mut unranked = BTreeMap::new();
    for f in &files {
        let module = module_of(&root, f);
        let Some(own) = rank(&module) else {
            unranked.insert(module, f.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (line, used) in crate_refs(&text) {
            if used == module {
                continue;
            }
            match rank(&used) {
                Some(r) if r < own => {}
                Some(_) => broken.push(format!(
                    "{}:{line}: `{module}` imports `{used}`, a stage at or above it",
                    f.display()
                )),
                None => {
                    unranked.insert(used, f.display().to_string());
                }
            }
        }
    }
    assert!(
        unranked.is_empty(),
        "modules without a rank in tests/layering.rs: {unranked:?}"
    );
    assert!(
        broken.is_empty(),
        "imports against the stages:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_checker_sees_imports() {
    let refs =
        crate_refs("use crate::sim::{run, Run}; // crate::driver\nlet x = crate::ir::eval(g);");
    let names: Vec<&str> = refs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["sim", "ir"]);
}

#[path = "layering/files.rs"]
mod files;

#[test]
fn no_two_files_import_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let f = files::Files::of(&root);
    let circles: Vec<String> = files::circles(&f.graph())
        .iter()
        .map(|c| {
            let names: Vec<String> = c.iter().map(|m| f.name(m)).collect();
            names.join(" <-> ")
        })
        .collect();
    assert!(
        circles.is_empty(),
        "files that import each other, directly or round a circle:\n{}",
        circles.join("\n")
    );
}

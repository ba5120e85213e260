//! The import graph between source files: which file's items each file
//! names (`use` and inline paths through `crate::`, `super::` and
//! `self::`), following a module file's `pub use` re-exports to the file
//! that defines the item. A module file that only re-exports is not an
//! importer of its children, so `sim/mod.rs` re-exporting `machine` and
//! `machine.rs` naming `super::SimError` make no circle; a real circle
//! (`a.rs` names `b.rs`'s items and `b.rs` names `a.rs`'s) is one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path (`["cost", "layer", "whole"]`) and the file that holds it.
pub struct Files {
    root: PathBuf,
    /// Module path -> file, for every module file of `src/`.
    modules: BTreeMap<Vec<String>, PathBuf>,
}

impl Files {
    pub fn of(root: &Path) -> Files {
        let mut list = Vec::new();
        super::rust_files(root, &mut list);
        let mut modules = BTreeMap::new();
        for f in list {
            modules.insert(module_path(root, &f), f);
        }
        Files {
            root: root.to_path_buf(),
            modules,
        }
    }

    pub fn name(&self, m: &[String]) -> String {
        let f = &self.modules[m];
        f.strip_prefix(&self.root).unwrap().display().to_string()
    }

    /// Every file's imports of other files (module paths).
    pub fn graph(&self) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
        let mut g = BTreeMap::new();
        for (m, f) in &self.modules {
            let text = std::fs::read_to_string(f).unwrap();
            let mut to = BTreeSet::new();
            for (path, reexport) in paths(&text) {
                if reexport && self.is_parent(m) {
                    continue;
                }
                if let Some(abs) = absolute(m, self.is_parent(m), &path) {
                    if let Some(t) = self.resolve(&abs, 0) {
                        if &t != m {
                            to.insert(t);
                        }
                    }
                }
            }
            g.insert(m.clone(), to);
        }
        g
    }

    /// A module with children (`mod.rs`, `lib.rs` or `a.rs` beside `a/`).
    fn is_parent(&self, m: &[String]) -> bool {
        self.modules
            .keys()
            .any(|k| k.len() == m.len() + 1 && k.starts_with(m))
    }

    /// The file an absolute path names: its longest module prefix, then,
    /// for a parent module, through its `pub use` of the next name.
    fn resolve(&self, abs: &[String], depth: u32) -> Option<Vec<String>> {
        let n = (0..=abs.len())
            .rev()
            .find(|&n| self.modules.contains_key(&abs[..n]))?;
        let m = abs[..n].to_vec();
        let Some(item) = abs.get(n) else {
            return Some(m);
        };
        if depth > 8 || !self.is_parent(&m) {
            return Some(m);
        }
        let text = std::fs::read_to_string(&self.modules[&m]).unwrap();
        for (path, reexport) in paths(&text) {
            let named = path.last().map(String::as_str);
            if reexport && (named == Some(item.as_str()) || named == Some("*")) {
                if let Some(a) = absolute(&m, true, &path) {
                    let a = if named == Some("*") {
                        let mut a = a[..a.len() - 1].to_vec();
                        a.push(item.clone());
                        a
                    } else {
                        a
                    };
                    return self.resolve(&a, depth + 1);
                }
            }
        }
        Some(m)
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `["a", "b"]`; `lib.rs`, `main.rs`
/// are the root (`[]`, `["main"]`).
fn module_path(root: &Path, f: &Path) -> Vec<String> {
    let rel = f.strip_prefix(root).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && !(parts.is_empty() && stem == "lib") {
        parts.push(stem.to_string());
    }
    parts
}

/// A path as written, relative to module `m` (`is_parent`: `m` is a
/// directory module, so `super` is its parent), made absolute.
fn absolute(m: &[String], _is_parent: bool, path: &[String]) -> Option<Vec<String>> {
    let mut at: Vec<String> = m.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            at.clear();
            rest = &rest[1..];
        }
        Some("super") | Some("self") => {
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "super" => {
                        at.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        // A child module named directly (`use child::X` in a parent).
        Some(_) => {}
        None => return None,
    }
    at.extend(rest.iter().cloned());
    Some(at)
}

/// Every path a file names through `crate::`, `super::` or `self::`, and
/// the names of `use` declarations (braces expanded), each with whether it
/// is a `pub use` (a re-export). Comments are skipped.
fn paths(text: &str) -> Vec<(Vec<String>, bool)> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    // `use` declarations, up to their `;`; the rest of the code keeps
    // what is outside them.
    let mut rest = code.as_str();
    let mut outside = String::new();
    while let Some(at) = find_use(rest) {
        let (reexport, body_at) = at;
        outside.push_str(&rest[..body_at]);
        let body = &rest[body_at..];
        let end = body.find(';').unwrap_or(body.len());
        for p in expand(body[..end].trim()) {
            out.push((p, reexport));
        }
        rest = &body[end..];
    }
    outside.push_str(rest);
    // Inline paths anywhere else.
    for start in ["crate::", "super::"] {
        let mut rest = outside.as_str();
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            rest = &rest[at + start.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let p: Vec<String> = tail
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty())
                .collect();
            if p.len() > 1 {
                out.push((p, false));
            }
        }
    }
    out
}

/// The next `use` keyword at a statement start: (is `pub use`, offset of
/// what follows `use `).
fn find_use(text: &str) -> Option<(bool, usize)> {
    let mut from = 0;
    while let Some(i) = text[from..].find("use ") {
        let at = from + i;
        let before = text[..at].trim_end();
        let prev = text[..at].chars().last();
        let starts = prev.is_none_or(|c| c.is_whitespace() || c == ';' || c == '{' || c == '}');
        if starts {
            let reexport = before.ends_with("pub") || before.ends_with(')');
            return Some((reexport && !before.ends_with("pub(super)"), at + 4));
        }
        from = at + 4;
    }
    None
}

/// `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e`; `x as y` -> `x`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    expand_into(&[], &tree, &mut out);
    out
}

fn expand_into(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    for part in split_top(tree) {
        if let Some(open) = part.find('{') {
            let head = part[..open].trim_end_matches("::");
            let mut p = prefix.to_vec();
            p.extend(head.split("::").filter(|s| !s.is_empty()).map(String::from));
            let inner = &part[open + 1..part.len().saturating_sub(1)];
            expand_into(&p, inner, out);
        } else {
            let part = part.split("as").next().unwrap_or(part);
            let part = if let Some(i) = part.find("as") {
                &part[..i]
            } else {
                part
            };
            let mut p = prefix.to_vec();
            p.extend(part.split("::").filter(|s| !s.is_empty()).map(String::from));
            // `self` in a list names the module itself.
            if p.last().is_some_and(|s| s == "self") {
                p.pop();
            }
            if !p.is_empty() {
                out.push(p);
            }
        }
    }
}

/// Splits at the commas outside braces.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    if from < s.len() {
        out.push(&s[from..]);
    }
    out.into_iter().filter(|p| !p.is_empty()).collect()
}

/// The circles of the graph: its strongly connected components of more
/// than one file (Tarjan's algorithm), each sorted.
pub fn circles(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct State<'a> {
        g: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on.insert(v);
        let g = s.g;
        for w in g.get(v).into_iter().flatten() {
            if !g.contains_key(w) {
                continue;
            }
            let w = g.get_key_value(w).unwrap().0;
            if !s.index.contains_key(w) {
                visit(s, w);
                let l = s.low[w].min(s.low[v]);
                s.low.insert(v, l);
            } else if s.on.contains(w) {
                let l = s.index[w].min(s.low[v]);
                s.low.insert(v, l);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

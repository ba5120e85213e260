//! Sorting the items of one body into known keys, reporting unknown and
//! duplicate keys and items that do not belong there.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Block, Body, Decl, Entry, Item};

use super::suggest::suggestion;

/// The items of one body, by key.
pub struct Entries<'a> {
    pub by_key: HashMap<&'a str, &'a Entry>,
    pub blocks: Vec<&'a Block>,
    pub decls: Vec<&'a Decl>,
    /// Keys that were not recognised (already reported).
    pub unknown: Vec<&'a str>,
}

impl<'a> Entries<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Entry> {
        self.by_key.get(key).copied()
    }

    /// Whether an unknown key was probably a misspelling of `key` (then a
    /// "missing `key`" error would only repeat the unknown-key one).
    pub fn misspelt(&self, key: &str, known: &[&str]) -> bool {
        self.unknown
            .iter()
            .any(|u| super::suggest::closest(u, known.iter().copied()) == Some(key))
    }
}

/// Splits `body` into entries, blocks and nested declarations; an entry
/// whose key is not in `known` gets an unknown-key diagnostic (`what` names
/// the thing being declared, e.g. "a layer"), a repeated key a duplicate one.
pub fn collect<'a>(
    body: &'a Body,
    known: &[&str],
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Entries<'a> {
    let mut out = Entries {
        by_key: HashMap::new(),
        blocks: Vec::new(),
        decls: Vec::new(),
        unknown: Vec::new(),
    };
    for item in &body.items {
        match item {
            Item::Entry(e) => {
                let key = e.key.name.as_str();
                if !known.contains(&key) {
                    diags.push(unknown_key(&e.key.name, e.key.span, known, what));
                    out.unknown.push(key);
                    continue;
                }
                if let Some(first) = out.by_key.get(key) {
                    diags.push(
                        Diagnostic::error(Code::DuplicateKey, format!("`{key}` is given twice"))
                            .with_primary(e.key.span, "given again here")
                            .with_secondary(first.key.span, "first given here")
                            .with_help("remove one of them"),
                    );
                    continue;
                }
                out.by_key.insert(key, e);
            }
            Item::Block(b) => out.blocks.push(b),
            Item::Decl(d) => out.decls.push(d),
            Item::Error(_) => {}
        }
    }
    out
}

pub fn unknown_key(
    name: &str,
    span: crate::model::SrcSpan,
    known: &[&str],
    what: &str,
) -> Diagnostic {
    let d = Diagnostic::error(Code::UnknownKey, format!("unknown key `{name}` in {what}"))
        .with_primary(span, "unknown key");
    match suggestion(name, known.iter().copied()) {
        Some((c, s)) => d.with_help(s).with_replacement(c),
        None => d.with_help(format!("the keys of {what} are: {}", known.join(", "))),
    }
}

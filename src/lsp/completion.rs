//! Completion from the tokens before the cursor, so it works in a
//! half-typed file that does not parse: keys (with their units) at the
//! start of an item, per the enclosing declaration or `mapping` block;
//! arch names after `arch NAME :`; units after a number; declaration
//! keywords at the top level and in a network.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation};

use super::analysis::Analysis;
use super::keys::{self, KeyDoc};
use super::locate;
use crate::check::units::UNITS;
use crate::model::Arch;
use crate::syntax::ast::DeclKind;
use crate::syntax::lexer::{Lexer, Tok};

/// Where the cursor sits, as far as completion cares.
#[derive(Debug, PartialEq, Eq)]
enum Context {
    /// Start of an item inside the innermost open body.
    Item(Scope),
    /// After `arch NAME :`; the arch being declared is not a candidate.
    Base {
        declaring: String,
    },
    /// After a number given to `key`.
    Unit {
        key: String,
    },
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Top,
    Decl(DeclKind),
    /// A plain block such as `mapping { ... }`.
    Block,
}

pub fn complete(analysis: &Analysis, text: &str, offset: usize) -> Vec<CompletionItem> {
    let mut items = by_context(analysis, text, offset);
    if items
        .iter()
        .any(|i| i.kind == Some(CompletionItemKind::PROPERTY))
    {
        let given = locate::given_keys(&analysis.file, offset);
        items.retain(|i| !given.contains(&i.label.as_str()));
    }
    items
}

fn by_context(analysis: &Analysis, text: &str, offset: usize) -> Vec<CompletionItem> {
    match context(text.get(..offset).unwrap_or(text)) {
        Context::Item(Scope::Top) => keywords(&["layer", "arch", "network"]),
        Context::Item(Scope::Decl(DeclKind::Network)) => keywords(&["layer"]),
        Context::Item(Scope::Decl(DeclKind::Arch)) => key_items(keys::ARCH),
        Context::Item(Scope::Decl(DeclKind::Layer)) => {
            let mut items = key_items(keys::LAYER);
            items.push(CompletionItem {
                label: "mapping".to_string(),
                kind: Some(CompletionItemKind::MODULE),
                detail: Some("block".to_string()),
                documentation: Some(Documentation::String(
                    "hand-fixed processing-pass blocking: n, p, q, r, t, ifmap_banks".to_string(),
                )),
                ..CompletionItem::default()
            });
            items
        }
        Context::Item(Scope::Block) => key_items(keys::MAPPING),
        Context::Base { declaring } => arch_names(analysis, &declaring),
        Context::Unit { key } => units(&key),
        Context::Nothing => Vec::new(),
    }
}

fn context(before: &str) -> Context {
    let mut toks: Vec<Tok<'_>> = Lexer::new(before).flatten().map(|(_, t, _)| t).collect();
    // A word running up to the cursor is the one being typed: the context
    // is what comes before it.
    let typing = before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if typing
        && matches!(
            toks.last(),
            Some(
                Tok::Ident(_)
                    | Tok::Layer
                    | Tok::Arch
                    | Tok::Network
                    | Tok::X
                    | Tok::Int(_)
                    | Tok::Dec(_)
            )
        )
    {
        let last = toks.pop();
        // `200 M`: a unit being typed after a number.
        if let (Some(Tok::Ident(_)), Some(Tok::Int(_) | Tok::Dec(_))) = (last, toks.last()) {
            return unit_context(&toks);
        }
        if matches!(last, Some(Tok::Int(_) | Tok::Dec(_))) {
            return Context::Nothing;
        }
    }
    let mut stack: Vec<Scope> = Vec::new();
    let mut pending: Option<DeclKind> = None;
    for t in &toks {
        match t {
            Tok::Layer => pending = Some(DeclKind::Layer),
            Tok::Arch => pending = Some(DeclKind::Arch),
            Tok::Network => pending = Some(DeclKind::Network),
            Tok::LBrace => stack.push(pending.take().map_or(Scope::Block, Scope::Decl)),
            Tok::RBrace => {
                stack.pop();
                pending = None;
            }
            Tok::Semi => pending = None,
            _ => {}
        }
    }
    let scope = stack.last().copied().unwrap_or(Scope::Top);
    match toks.as_slice() {
        [] | [.., Tok::LBrace | Tok::RBrace | Tok::Semi] => Context::Item(scope),
        [.., Tok::Arch, Tok::Ident(name), Tok::Colon] => Context::Base {
            declaring: name.to_string(),
        },
        [.., Tok::Int(_) | Tok::Dec(_)] if !typing => unit_context(&toks),
        _ => Context::Nothing,
    }
}

/// `key = 200` or `key = -1.5` just before the cursor (the number last).
fn unit_context(toks: &[Tok<'_>]) -> Context {
    match toks {
        [.., Tok::Ident(key), Tok::Eq, Tok::Int(_) | Tok::Dec(_)]
        | [.., Tok::Ident(key), Tok::Eq, Tok::Minus, Tok::Int(_) | Tok::Dec(_)] => Context::Unit {
            key: key.to_string(),
        },
        _ => Context::Nothing,
    }
}

fn keywords(words: &[&str]) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| CompletionItem {
            label: w.to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..CompletionItem::default()
        })
        .collect()
}

fn key_items(table: &[KeyDoc]) -> Vec<CompletionItem> {
    table
        .iter()
        .map(|d| CompletionItem {
            label: d.key.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(d.unit.to_string()),
            documentation: Some(Documentation::String(d.meaning.to_string())),
            ..CompletionItem::default()
        })
        .collect()
}

/// Archs of the file in order, then the built-ins (but not one the file
/// declares itself, which replaces it).
fn arch_names(analysis: &Analysis, declaring: &str) -> Vec<CompletionItem> {
    let mut names: Vec<(&str, &str)> = Vec::new();
    for d in &analysis.file.decls {
        let n = d.name.name.as_str();
        if d.kind == DeclKind::Arch && n != declaring && !names.iter().any(|(m, _)| *m == n) {
            names.push((n, "arch in this file"));
        }
    }
    for &b in Arch::BUILTINS {
        if b != declaring && !names.iter().any(|(m, _)| *m == b) {
            names.push((b, "built-in arch"));
        }
    }
    names
        .into_iter()
        .map(|(n, detail)| CompletionItem {
            label: n.to_string(),
            kind: Some(CompletionItemKind::CLASS),
            detail: Some(detail.to_string()),
            ..CompletionItem::default()
        })
        .collect()
}

/// The units that `key` accepts, from the key's table entry.
fn units(key: &str) -> Vec<CompletionItem> {
    let Some(doc) = keys::find(keys::ARCH, key) else {
        return Vec::new();
    };
    UNITS
        .iter()
        .filter(|(name, _, _)| {
            doc.unit
                .split_once(':')
                .is_some_and(|(_, list)| list.split(',').any(|u| u.trim() == *name))
        })
        .map(|(name, _, _)| CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::UNIT),
            detail: Some(doc.unit.to_string()),
            ..CompletionItem::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let a = Analysis::of(text);
        complete(&a, text, text.len())
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn contexts_from_half_typed_text() {
        assert_eq!(labels(""), ["layer", "arch", "network"]);
        assert!(labels("arch a : eyeriss { cl").contains(&"clock".to_string()));
        assert!(labels("layer l { ifmap = 3; ").contains(&"filter".to_string()));
        assert!(labels("layer l { mapping { ").contains(&"ifmap_banks".to_string()));
        assert_eq!(labels("network n { la"), ["layer"]);
        assert_eq!(
            labels("arch a : eyeriss { }\narch b : "),
            ["a", "eyeriss", "eyeriss_chip"]
        );
        assert_eq!(
            labels("arch a : eyeriss { clock = 200 "),
            ["Hz", "kHz", "MHz", "GHz"]
        );
        assert_eq!(
            labels("arch a : eyeriss { glb.bank = 4 K"),
            ["B", "KiB", "MiB"]
        );
        assert_eq!(
            labels("arch a : eyeriss { power.static = 2 "),
            ["uW", "mW", "W"]
        );
        assert!(labels("layer l { ifmap = 3").is_empty());
        assert!(labels("layer l { ifmap =").is_empty());
    }

    #[test]
    fn keys_already_given_are_not_offered_again() {
        let text = "layer l { ifmap = 3;  filter = 1; mapping { n = 1; } }";
        let a = Analysis::of(text);
        let at = |needle: &str| text.find(needle).unwrap();
        let labels = |offset: usize| -> Vec<String> {
            complete(&a, text, offset)
                .into_iter()
                .map(|c| c.label)
                .collect()
        };
        let in_layer = labels(at("ifmap = 3;") + 11);
        assert!(in_layer.contains(&"channels".to_string()), "{in_layer:?}");
        for given in ["ifmap", "filter", "mapping"] {
            assert!(
                !in_layer.contains(&given.to_string()),
                "{given} in {in_layer:?}"
            );
        }
        let in_mapping = labels(at("n = 1;") + 6);
        assert!(in_mapping.contains(&"p".to_string()));
        assert!(!in_mapping.contains(&"n".to_string()), "{in_mapping:?}");
    }
}

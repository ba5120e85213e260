//! What the cursor is on, found in the (possibly partial) syntax tree: a
//! declaration's keyword or name, an arch's base, or the key of an entry.
//! A cursor just after a word still counts as on it, as editors place it.

use crate::model::SrcSpan;
use crate::syntax::ast::{Block, Decl, Entry, File, Ident, Item};

pub enum Target<'a> {
    /// The `layer`/`arch`/`network` keyword or the name of a declaration;
    /// `parent` is the network holding a member layer.
    Decl {
        decl: &'a Decl,
        parent: Option<&'a Decl>,
    },
    /// The base of an arch (`arch small : eyeriss`).
    Base { base: &'a Ident },
    /// The key of an entry of `decl`; `block` is the `mapping` block
    /// holding it, if any.
    Key {
        decl: &'a Decl,
        block: Option<&'a Block>,
        entry: &'a Entry,
    },
}

fn on(span: SrcSpan, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

pub fn target(file: &File, offset: usize) -> Option<Target<'_>> {
    file.decls.iter().find_map(|d| in_decl(d, None, offset))
}

fn in_decl<'a>(decl: &'a Decl, parent: Option<&'a Decl>, offset: usize) -> Option<Target<'a>> {
    if !on(decl.span, offset) {
        return None;
    }
    if on(decl.kind_span, offset) || on(decl.name.span, offset) {
        return Some(Target::Decl { decl, parent });
    }
    if let Some(base) = decl.base.as_ref().filter(|b| on(b.span, offset)) {
        return Some(Target::Base { base });
    }
    for item in &decl.body.items {
        match item {
            Item::Entry(entry) if on(entry.key.span, offset) => {
                return Some(Target::Key {
                    decl,
                    block: None,
                    entry,
                });
            }
            Item::Block(block) => {
                let entry = block.body.items.iter().find_map(|i| match i {
                    Item::Entry(e) if on(e.key.span, offset) => Some(e),
                    _ => None,
                });
                if let Some(entry) = entry {
                    return Some(Target::Key {
                        decl,
                        block: Some(block),
                        entry,
                    });
                }
            }
            Item::Decl(member) => {
                if let Some(t) = in_decl(member, Some(decl), offset) {
                    return Some(t);
                }
            }
            _ => {}
        }
    }
    None
}

/// The first top-level arch declared with `name`.
pub fn arch_decl<'a>(file: &'a File, name: &str) -> Option<&'a Decl> {
    file.decls
        .iter()
        .find(|d| d.kind == crate::syntax::ast::DeclKind::Arch && d.name.name == name)
}

/// Keys (and block names) already written in the innermost body around
/// `offset`, so completion does not offer them again. Empty where the
/// tree has no body there (say, after a syntax error).
pub fn given_keys(file: &File, offset: usize) -> Vec<&str> {
    let inside = |span: SrcSpan| span.start < offset && offset < span.end;
    let mut body = None;
    let mut decls: &[Decl] = &file.decls;
    while let Some(d) = decls.iter().find(|d| inside(d.body.span)) {
        body = Some(&d.body);
        let nested = d.body.items.iter().find_map(|i| match i {
            Item::Decl(m) if inside(m.body.span) => Some(std::slice::from_ref(&**m)),
            _ => None,
        });
        let block = d.body.items.iter().find_map(|i| match i {
            Item::Block(b) if inside(b.body.span) => Some(&b.body),
            _ => None,
        });
        match (nested, block) {
            (Some(m), _) => decls = m,
            (None, Some(b)) => {
                body = Some(b);
                break;
            }
            (None, None) => break,
        }
    }
    body.map_or_else(Vec::new, |b| {
        b.items
            .iter()
            .filter_map(|i| match i {
                Item::Entry(e) => Some(e.key.name.as_str()),
                Item::Block(b) => Some(b.name.name.as_str()),
                _ => None,
            })
            .collect()
    })
}

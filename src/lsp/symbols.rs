//! Document symbols: every arch, layer and network of the file, network
//! members nested under their network. Built from the syntax tree, so an
//! outline is there even while the file has errors.

use lsp_types::{DocumentSymbol, SymbolKind};

use super::analysis::Analysis;
use super::position::LineIndex;
use crate::syntax::ast::{Decl, DeclKind, Item};

pub fn symbols(analysis: &Analysis, index: &LineIndex) -> Vec<DocumentSymbol> {
    analysis
        .file
        .decls
        .iter()
        .map(|d| symbol(analysis, index, d))
        .collect()
}

fn symbol(analysis: &Analysis, index: &LineIndex, d: &Decl) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = d
        .body
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Decl(m) => Some(symbol(analysis, index, m)),
            _ => None,
        })
        .collect();
    let (kind, detail) = match d.kind {
        DeclKind::Arch => (
            SymbolKind::CLASS,
            Some(match &d.base {
                Some(b) => format!("arch : {}", b.name),
                None => "arch".to_string(),
            }),
        ),
        DeclKind::Layer => (
            SymbolKind::FUNCTION,
            Some(match analysis.layer_at(d.span) {
                Some(l) => format!("layer, ofmap {} x {}", l.ofmap, l.filters),
                None => "layer".to_string(),
            }),
        ),
        DeclKind::Network => (SymbolKind::MODULE, Some("network".to_string())),
    };
    // A name the parser recovered as empty would be refused by clients.
    let name = if d.name.name.is_empty() {
        d.kind.keyword().to_string()
    } else {
        d.name.name.clone()
    };
    #[allow(deprecated)] // `deprecated` is a required field of the type
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: index.range(d.span),
        selection_range: index.range(d.name.span),
        children: (!children.is_empty()).then_some(children),
    }
}

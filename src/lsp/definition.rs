//! Go to definition. The language's one reference by name is an arch's
//! base (`arch small : eyeriss`), which leads to the base's declaration
//! (nowhere for a built-in such as `eyeriss`). Layers are declared where
//! they are used (a network's layers are written inside it), so on a
//! layer's name, or any declaration's, the definition is that declaration.

use lsp_types::{Location, Uri};

use super::analysis::Analysis;
use super::locate::{self, Target};
use super::position::LineIndex;

pub fn definition(
    analysis: &Analysis,
    index: &LineIndex,
    uri: &Uri,
    offset: usize,
) -> Option<Location> {
    let span = match locate::target(&analysis.file, offset)? {
        Target::Base { base, .. } => locate::arch_decl(&analysis.file, &base.name)?.name.span,
        Target::Decl { decl, .. } => decl.name.span,
        Target::Key { .. } => return None,
    };
    Some(Location::new(uri.clone(), index.range(span)))
}

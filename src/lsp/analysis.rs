//! One analysis of a document's text: the diagnostics `cnnc check` would
//! print, the syntax tree (partial after errors) for finding what is under
//! the cursor, and the model of every declaration that checked, so hover
//! still works on the good layers of a file with a broken one.

use crate::check;
use crate::diag::Diagnostic;
use crate::frontend;
use crate::model::{Arch, Description, Layer, SrcSpan};
use crate::syntax::ast::{File, Span};

pub struct Analysis {
    /// Exactly what `cnnc check` reports for this text.
    pub diagnostics: Vec<Diagnostic>,
    /// The checked description, when the text has no errors.
    pub checked: Option<Description>,
    /// The syntax tree, partial after syntax errors.
    pub file: File,
    /// Every declaration that checked cleanly, even if others did not.
    pub partial: Description,
}

impl Analysis {
    pub fn of(text: &str) -> Analysis {
        let (diagnostics, checked) = match frontend::parse_and_check(text) {
            Ok(desc) => (Vec::new(), Some(desc)),
            Err(diags) => (diags, None),
        };
        // The front end refuses oversized text before parsing; so do we.
        let (file, partial) = if text.len() > frontend::MAX_SOURCE_BYTES {
            (
                File {
                    decls: Vec::new(),
                    span: Span::default(),
                },
                Description::default(),
            )
        } else {
            let (file, _) = frontend::parse(text);
            let (partial, _) = check::check(&file);
            (file, partial)
        };
        Analysis {
            diagnostics,
            checked,
            file,
            partial,
        }
    }

    /// The checked layer declared at `decl` (a top-level layer or a network
    /// member), matched by span so a duplicate name finds the right one.
    pub fn layer_at(&self, decl: SrcSpan) -> Option<&Layer> {
        self.partial.all_layers().find(|l| l.span == decl)
    }

    /// The resolved arch declared at `decl`.
    pub fn arch_at(&self, decl: SrcSpan) -> Option<&Arch> {
        self.partial.archs.iter().find(|a| a.span == decl)
    }

    /// An arch by name, as a base would resolve it (the built-in included).
    pub fn arch_named(&self, name: &str) -> Option<Arch> {
        self.partial.arch(name)
    }
}

//! Diagnostics: the one way every stage reports a problem to the user.
//! This module imports no other stage; spans are plain byte ranges.

use crate::model::SrcSpan;

pub use codes::Code;

/// Most diagnostics reported for one file; the rest are counted in a final one.
pub const MAX_DIAGNOSTICS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    pub span: SrcSpan,
    pub message: String,
    /// The primary label marks the exact culprit; secondary labels give context.
    pub primary: bool,
    /// Text that should replace the labelled text (a "did you mean" fix),
    /// as data for editors (`cnnc lsp` code actions); renderers show fixes
    /// only through the help line. Kept on the label, not the diagnostic,
    /// so `Diagnostic` stays small.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

/// One problem found in the input (or, for internal errors, in cnnc itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code such as `E0007` (see [`Code`]).
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    /// Free notes, e.g. how a computed value was derived.
    pub notes: Vec<String>,
    /// How to fix it, where a fix is known.
    pub help: Option<String>,
}

/// The one conversion at a stage's edge: a stage's own error type becomes
/// the diagnostic the user sees (its code, message, labels and help).
pub trait IntoDiagnostic {
    fn into_diagnostic(self) -> Diagnostic;
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_primary(mut self, span: SrcSpan, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
            replacement: None,
        });
        self
    }

    pub fn with_secondary(mut self, span: SrcSpan, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
            replacement: None,
        });
        self
    }

    /// A secondary label on a declaration that may have no source (the
    /// built-in `eyeriss` has an empty span): an empty span gets no label,
    /// rather than one on whatever starts the file.
    pub fn with_declared(self, span: SrcSpan, message: impl Into<String>) -> Self {
        if span.end > span.start {
            self.with_secondary(span, message)
        } else {
            self
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks `replacement` as the fix of the text under the primary label.
    pub fn with_replacement(mut self, replacement: impl Into<String>) -> Self {
        if let Some(l) = self.labels.iter_mut().rev().find(|l| l.primary) {
            l.replacement = Some(replacement.into());
        }
        self
    }

    /// The fixes this diagnostic carries: a span and its replacement text.
    pub fn replacements(&self) -> impl Iterator<Item = (SrcSpan, &str)> {
        self.labels
            .iter()
            .filter_map(|l| l.replacement.as_deref().map(|r| (l.span, r)))
    }
}

pub mod codes;
pub mod render;

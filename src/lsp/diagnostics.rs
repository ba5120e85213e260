//! cnnc diagnostics as LSP diagnostics: the primary label gives the range,
//! secondary labels become related information, and the primary label's
//! text, notes and help follow the message on lines of their own (LSP has
//! no fields for them, and every client shows a multi-line message).

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri,
};

use super::position::LineIndex;
use crate::diag::{Diagnostic, Severity};

/// Shown by clients as the diagnostic's origin.
pub const SOURCE: &str = "cnnc";

pub fn to_lsp(d: &Diagnostic, index: &LineIndex, uri: &Uri) -> lsp_types::Diagnostic {
    let primary = d
        .labels
        .iter()
        .find(|l| l.primary)
        .or_else(|| d.labels.first());
    // Diagnostics without a source position (too many errors, file too
    // large) sit at the start of the file.
    let range = primary.map_or_else(Range::default, |l| index.range(l.span));
    let mut message = d.message.clone();
    // The label's text, unless the message says it already
    // ("unknown key `filer` in a layer" / "unknown key").
    if let Some(l) = primary.filter(|l| !l.message.is_empty() && !d.message.contains(&l.message)) {
        message.push('\n');
        message.push_str(&l.message);
    }
    for note in &d.notes {
        message.push('\n');
        message.push_str(note);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), index.range(l.span)),
            message: l.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

pub fn all(
    diags: &[Diagnostic],
    text: &str,
    encoding: super::position::Encoding,
    uri: &Uri,
) -> Vec<lsp_types::Diagnostic> {
    let index = LineIndex::new(text, encoding);
    diags.iter().map(|d| to_lsp(d, &index, uri)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::position::Encoding;
    use lsp_types::Position;

    #[test]
    fn secondary_labels_become_related_information() {
        let text = "layer a { ifmap = 5; filter = 3; ifmap = 6; }";
        let diags = crate::frontend::parse_and_check(text).unwrap_err();
        let uri: Uri = "file:///t.cnn".parse().unwrap();
        let out = all(&diags, text, Encoding::Utf16, &uri);
        assert_eq!(out.len(), 1);
        let d = &out[0];
        assert_eq!(
            d.code,
            Some(NumberOrString::String(
                crate::diag::Code::DuplicateKey.to_string()
            ))
        );
        assert_eq!(d.range.start, Position::new(0, 33));
        assert_eq!(d.range.end, Position::new(0, 38));
        let rel = d.related_information.as_ref().unwrap();
        assert_eq!(rel[0].location.range.start, Position::new(0, 10));
        assert_eq!(rel[0].message, "first given here");
        assert_eq!(
            d.message,
            "`ifmap` is given twice\ngiven again here\nhelp: remove one of them"
        );
    }

    #[test]
    fn label_text_is_kept_unless_the_message_says_it() {
        let uri: Uri = "file:///t.cnn".parse().unwrap();
        let message = |text: &str| {
            let diags = crate::frontend::parse_and_check(text).unwrap_err();
            all(&diags, text, Encoding::Utf16, &uri)[0].message.clone()
        };
        assert_eq!(
            message("layer l { ifmap = 5; filer = 3; }"),
            "unknown key `filer` in a layer\nhelp: did you mean `filter`?"
        );
        let m = message("layer l { ifmap = 5 }");
        assert!(
            m.starts_with("missing `;` after `5`\nexpected `;` here"),
            "{m}"
        );
    }
}

//! Formatting with cnnc's canonical printer (`--emit ast`): only a file
//! that checks has a canonical form, and the printer writes the model, not
//! the text, so comments would be lost; a file with comments is left alone.

use lsp_types::TextEdit;

use super::analysis::Analysis;
use super::position::LineIndex;
use crate::frontend;
use crate::model::SrcSpan;
use crate::syntax::lexer::Lexer;

pub enum Outcome {
    Edits(Vec<TextEdit>),
    /// No edits, and why (for the user).
    Refused(&'static str),
}

pub fn format(analysis: &Analysis, text: &str, index: &LineIndex) -> Outcome {
    let Some(desc) = &analysis.checked else {
        return Outcome::Refused("cnnc formats only a file without errors");
    };
    if has_comments(text) {
        return Outcome::Refused(
            "cnnc does not format a file with comments: the canonical printer would drop them",
        );
    }
    let canonical = frontend::print(desc);
    if canonical == text {
        return Outcome::Edits(Vec::new());
    }
    let whole = SrcSpan {
        start: 0,
        end: text.len(),
    };
    Outcome::Edits(vec![TextEdit::new(index.range(whole), canonical)])
}

/// Whether anything but whitespace lies between the tokens: the lexer
/// skips exactly whitespace and comments.
fn has_comments(text: &str) -> bool {
    let mut prev = 0;
    for (start, _, end) in Lexer::new(text).flatten() {
        if text
            .get(prev..start)
            .is_some_and(|gap| !gap.trim().is_empty())
        {
            return true;
        }
        prev = end;
    }
    text.get(prev..).is_some_and(|gap| !gap.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_between_tokens() {
        assert!(has_comments("layer a { } // x"));
        assert!(has_comments("/* a */ layer a { }"));
        assert!(!has_comments("layer a {\n  ifmap = 3;\n}\n"));
    }
}

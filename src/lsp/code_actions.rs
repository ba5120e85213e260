//! Quick fixes: each "did you mean" suggestion a diagnostic carries as data
//! (a label's `replacement`) becomes an edit replacing the misspelt word.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Uri, WorkspaceEdit};

use super::analysis::Analysis;
use super::diagnostics::to_lsp;
use super::position::LineIndex;

/// The fixes for diagnostics whose suggestion touches bytes `start..end`.
pub fn actions(
    analysis: &Analysis,
    index: &LineIndex,
    uri: &Uri,
    (start, end): (usize, usize),
) -> Vec<CodeActionOrCommand> {
    analysis
        .diagnostics
        .iter()
        .flat_map(|d| d.replacements().map(move |(span, text)| (d, span, text)))
        .filter(|(_, span, _)| span.start <= end && start <= span.end)
        .map(|(d, span, text)| {
            let edit = TextEdit::new(index.range(span), text.to_string());
            CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("replace with `{text}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(d, index, uri)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::position::Encoding;

    /// The fix offered for the whole text, as (replaced text, replacement).
    fn fixes(text: &str) -> Vec<(String, String)> {
        let a = Analysis::of(text);
        let ix = LineIndex::new(text, Encoding::Utf8);
        let uri: Uri = "file:///t.cnn".parse().unwrap();
        actions(&a, &ix, &uri, (0, text.len()))
            .into_iter()
            .map(|action| {
                let CodeActionOrCommand::CodeAction(action) = action else {
                    panic!("a command");
                };
                let edits = action.edit.and_then(|e| e.changes?.into_values().next());
                let edit = &edits.expect("an edit")[0];
                let (s, e) = (ix.offset(edit.range.start), ix.offset(edit.range.end));
                (text[s..e].to_string(), edit.new_text.clone())
            })
            .collect()
    }

    #[test]
    fn every_did_you_mean_becomes_a_fix() {
        let pair = |a: &str, b: &str| vec![(a.to_string(), b.to_string())];
        assert_eq!(
            fixes("layer l { ifmap = 5; filer = 3; }"),
            pair("filer", "filter")
        );
        assert_eq!(
            fixes("layer l { ifmap = 5; filter = 3; maping { n = 1; } }"),
            pair("maping", "mapping")
        );
        assert_eq!(
            fixes("arch a : eyeriss { clock = 200 Mhz; }"),
            pair("Mhz", "MHz")
        );
        assert_eq!(fixes("arch a : eyeris { }"), pair("eyeris", "eyeriss"));
        // No suggestion, no fix.
        assert!(fixes("layer l { ifmap = 5; zzzzzzzz = 3; filter = 3; }").is_empty());
    }
}

//! The open documents: their current text and version, edited in place by
//! `didChange`, and the analysis of that text, computed when first asked
//! for after a change (so a burst of edits costs one analysis).

use std::collections::BTreeMap;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::analysis::Analysis;
use super::position::{Encoding, LineIndex};

pub struct Document {
    text: String,
    pub version: i32,
    analysis: Option<Analysis>,
}

impl Document {
    pub fn new(text: String, version: i32) -> Self {
        Document {
            text,
            version,
            analysis: None,
        }
    }

    /// The current text and its analysis.
    pub fn analysed(&mut self) -> (&str, &Analysis) {
        let analysis = self
            .analysis
            .get_or_insert_with(|| Analysis::of(&self.text));
        (&self.text, analysis)
    }

    /// Applies one change: a whole new text, or a range replaced. Ranges
    /// are clamped to the text (a confused client must not crash us).
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent, encoding: Encoding) {
        self.analysis = None;
        match change.range {
            None => self.text = change.text,
            Some(range) => {
                let (start, end) = {
                    let ix = LineIndex::new(&self.text, encoding);
                    let (a, b) = (ix.offset(range.start), ix.offset(range.end));
                    (a.min(b), a.max(b))
                };
                self.text.replace_range(start..end, &change.text);
            }
        }
    }
}

/// Open documents by URI; ordered, so anything done to all of them happens
/// in the same order every run.
#[derive(Default)]
pub struct Documents {
    docs: BTreeMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        self.docs.insert(uri, Document::new(text, version));
    }

    pub fn close(&mut self, uri: &Uri) -> bool {
        self.docs.remove(uri).is_some()
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn ranged_edits_apply_in_the_client_encoding_and_clamp() {
        let mut d = Document::new("a𝔸c\nxyz".to_string(), 1);
        // UTF-16: `c` is at column 3 (the astral char takes two units).
        d.apply(edit(Some(((0, 3), (0, 4))), "C"), Encoding::Utf16);
        assert_eq!(d.analysed().0, "a𝔸C\nxyz");
        d.apply(edit(Some(((0, 5), (0, 6))), "!"), Encoding::Utf8);
        assert_eq!(d.analysed().0, "a𝔸!\nxyz");
        // Reversed and out-of-range ranges are clamped, not refused.
        d.apply(edit(Some(((9, 9), (1, 1))), ""), Encoding::Utf16);
        assert_eq!(d.analysed().0, "a𝔸!\nx");
        d.apply(edit(None, "new"), Encoding::Utf16);
        assert_eq!(d.analysed().0, "new");
    }
}

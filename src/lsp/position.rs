//! Byte offsets to LSP positions and back, in the client's position
//! encoding. LSP counts lines split at `\n`, `\r\n` or `\r`, and columns in
//! UTF-16 code units unless client and server agreed on UTF-8. Positions
//! from the client are untrusted: past the end of a line or of the file,
//! or inside a character, they are clamped, never an error.

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::model::SrcSpan;

/// The unit `Position::character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (cheaper and exact for us: spans are
    /// byte offsets); otherwise the protocol's mandatory UTF-16.
    pub fn negotiate(offered: &[PositionEncodingKind]) -> Encoding {
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Line starts of one text, for converting in both directions.
pub struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    starts.push(i);
                }
                b'\r' | b'\n' => {
                    i += 1;
                    starts.push(i);
                }
                _ => i += 1,
            }
        }
        LineIndex {
            text,
            starts,
            encoding,
        }
    }

    /// The largest char boundary at or before `offset`, within the text.
    fn clamp(&self, offset: usize) -> usize {
        let mut at = offset.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(|c| self.encoding.width(c)).sum());
        Position::new(saturate(line), saturate(column))
    }

    pub fn range(&self, span: SrcSpan) -> Range {
        let start = self.clamp(span.start);
        let end = self.clamp(span.end).max(start);
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of `pos`: a line past the end is the end of the
    /// text, a column past the end of its line is the end of the line, a
    /// column inside a character is that character's start.
    pub fn offset(&self, pos: Position) -> usize {
        let line = pos.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let end = self.line_end(line);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            let w = self.encoding.width(c);
            if units + w > want {
                return start + i;
            }
            units += w;
        }
        end
    }

    /// End of line `line`'s content, before its line break.
    fn line_end(&self, line: usize) -> usize {
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let content = &self.text[self.starts[line]..next];
        let trimmed = content
            .strip_suffix("\r\n")
            .or_else(|| content.strip_suffix('\n'))
            .or_else(|| content.strip_suffix('\r'))
            .unwrap_or(content);
        self.starts[line] + trimmed.len()
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        // `é` is 2 bytes / 1 UTF-16 unit; `𝔸` is 4 bytes / 2 UTF-16 units.
        let text = "aé𝔸b\nx";
        let u16 = LineIndex::new(text, Encoding::Utf16);
        let u8 = LineIndex::new(text, Encoding::Utf8);
        let b = text.find('b').unwrap();
        assert_eq!(u16.position(b), Position::new(0, 4));
        assert_eq!(u8.position(b), Position::new(0, 7));
        assert_eq!(u16.offset(Position::new(0, 4)), b);
        assert_eq!(u8.offset(Position::new(0, 7)), b);
        // Inside the surrogate pair or the UTF-8 sequence: the char's start.
        let astral = text.find('𝔸').unwrap();
        assert_eq!(u16.offset(Position::new(0, 3)), astral);
        assert_eq!(u8.offset(Position::new(0, 5)), astral);
    }

    #[test]
    fn every_line_break_counts_and_out_of_range_clamps() {
        let text = "ab\r\ncd\ref\ngh";
        let ix = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(ix.position(text.find('c').unwrap()), Position::new(1, 0));
        assert_eq!(ix.position(text.find('e').unwrap()), Position::new(2, 0));
        assert_eq!(ix.position(text.find('g').unwrap()), Position::new(3, 0));
        // Past the end of a line: the end of its content, before `\r\n`.
        assert_eq!(ix.offset(Position::new(0, 99)), 2);
        assert_eq!(ix.offset(Position::new(99, 0)), text.len());
        assert_eq!(ix.position(999), Position::new(3, 2));
    }

    #[test]
    fn offsets_round_trip_on_char_boundaries() {
        let text = "layer é {\n  ifmap = 1;\r\n}\n";
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let ix = LineIndex::new(text, enc);
            for (i, _) in text.char_indices() {
                let back = ix.offset(ix.position(i));
                // A line break's second byte maps to the end of its line.
                assert!(back == i || text[back..i].chars().all(|c| c == '\r' || c == '\n'));
            }
        }
    }
}

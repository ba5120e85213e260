//! Rendering diagnostics for people and tools: rich (codespan-reporting),
//! short (one `file:line:col:` line each) and JSON (one object per line).
//! Spans from any stage are clamped to the source, so a stale or bogus span
//! degrades the picture but never fails or panics.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde_json::json;

use super::{Diagnostic, Severity};
use crate::model::SrcSpan;

/// How diagnostics are printed (`--diagnostics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Rich,
    Short,
    Json,
}

/// Renders all diagnostics of one file. `color` only affects `Rich`.
pub fn render(diags: &[Diagnostic], file: &str, source: &str, style: Style, color: bool) -> String {
    match style {
        Style::Rich => rich(diags, file, source, color),
        Style::Short => {
            let index = LineIndex::new(source);
            diags
                .iter()
                .map(|d| short_line(d, file, &index) + "\n")
                .collect()
        }
        Style::Json => {
            let index = LineIndex::new(source);
            diags
                .iter()
                .map(|d| json_value(d, file, &index).to_string() + "\n")
                .collect()
        }
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The largest char boundary at or before `at`, within the source.
fn clamp(source: &str, at: usize) -> usize {
    let mut at = at.min(source.len());
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn clamp_span(source: &str, span: SrcSpan) -> (usize, usize) {
    let start = clamp(source, span.start);
    let end = clamp(source, span.end).max(start);
    (start, end)
}

fn rich(diags: &[Diagnostic], file: &str, source: &str, color: bool) -> String {
    let files = SimpleFile::new(file, source);
    let config = term::Config::default();
    let mut buf = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for d in diags {
        let labels = d
            .labels
            .iter()
            .map(|l| {
                let (s, e) = clamp_span(source, l.span);
                let label = if l.primary {
                    cs::Label::primary((), s..e)
                } else {
                    cs::Label::secondary((), s..e)
                };
                label.with_message(l.message.clone())
            })
            .collect();
        let mut notes = d.notes.clone();
        if let Some(h) = &d.help {
            notes.push(format!("help: {h}"));
        }
        let severity = match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Note => cs::Severity::Note,
        };
        let cd = cs::Diagnostic::new(severity)
            .with_code(d.code.as_str())
            .with_message(d.message.clone())
            .with_labels(labels)
            .with_notes(notes);
        if term::emit(&mut buf, &config, &files, &cd).is_err() {
            // codespan refused (it should not, spans are clamped): fall
            // back to the one-line form rather than losing the diagnostic.
            let index = LineIndex::new(source);
            let line = short_line(d, file, &index) + "\n";
            use std::io::Write;
            let _ = buf.write_all(line.as_bytes());
        }
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// Byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(source: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = clamp(self.source, offset);
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = self
            .source
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

fn primary(d: &Diagnostic) -> Option<SrcSpan> {
    d.labels
        .iter()
        .find(|l| l.primary)
        .or(d.labels.first())
        .map(|l| l.span)
}

fn short_line(d: &Diagnostic, file: &str, index: &LineIndex) -> String {
    let sev = severity_word(d.severity);
    match primary(d) {
        Some(span) => {
            let (line, col) = index.line_col(span.start);
            format!("{file}:{line}:{col}: {sev}[{}]: {}", d.code, d.message)
        }
        None => format!("{file}: {sev}[{}]: {}", d.code, d.message),
    }
}

fn position(index: &LineIndex, span: SrcSpan) -> serde_json::Value {
    let (start, end) = clamp_span(index.source, span);
    let (sl, sc) = index.line_col(start);
    let (el, ec) = index.line_col(end);
    json!({
        "range": { "start": start, "end": end },
        "start": { "line": sl, "column": sc },
        "end": { "line": el, "column": ec },
    })
}

fn json_value(d: &Diagnostic, file: &str, index: &LineIndex) -> serde_json::Value {
    let labels: Vec<serde_json::Value> = d
        .labels
        .iter()
        .map(|l| {
            let mut v = position(index, l.span);
            v["message"] = json!(l.message);
            v["primary"] = json!(l.primary);
            v
        })
        .collect();
    let mut v = match primary(d) {
        Some(span) => position(index, span),
        None => json!({ "range": null, "start": null, "end": null }),
    };
    v["file"] = json!(file);
    v["severity"] = json!(severity_word(d.severity));
    v["code"] = json!(d.code);
    v["message"] = json!(d.message);
    v["labels"] = json!(labels);
    v["notes"] = json!(d.notes);
    v["help"] = json!(d.help);
    crate::schema::stamped(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns_are_one_based_and_count_chars() {
        let ix = LineIndex::new("ab\nçd\n");
        assert_eq!(ix.line_col(0), (1, 1));
        assert_eq!(ix.line_col(3), (2, 1));
        assert_eq!(ix.line_col(5), (2, 2));
        assert_eq!(ix.line_col(999), (3, 1));
    }

    #[test]
    fn labelless_diagnostics_render() {
        let d = Diagnostic::error(crate::diag::Code::WrongOutputs, "verification failed");
        for style in [Style::Rich, Style::Short, Style::Json] {
            assert!(render(std::slice::from_ref(&d), "f.cnn", "", style, false)
                .contains("verification failed"));
        }
    }
}

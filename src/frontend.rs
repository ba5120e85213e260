//! The front end's public API: source text in, checked [`Description`] or
//! diagnostics out. Never panics, whatever the input.

use crate::check;
use crate::diag::{Code, Diagnostic};
use crate::model::{Description, SrcSpan};
use crate::syntax::{ast::File, parser};

/// Largest source accepted; the language has no use for bigger files and
/// a bound keeps memory use proportional to something sane.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024 * 1024;

pub use crate::diag::MAX_DIAGNOSTICS;

/// The refusal of a file over `cap` bytes, found by reading `cap + 1`.
pub fn too_large(cap: u64) -> Diagnostic {
    Diagnostic::error(
        Code::FileTooLarge,
        format!("input is more than {cap} bytes, the limit"),
    )
    .with_help("a .cnn file describes layers and archs; it is never this large")
}

/// Parses and checks one `.cnn` source.
pub fn parse_and_check(source: &str) -> Result<Description, Vec<Diagnostic>> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(vec![Diagnostic::error(
            Code::FileTooLarge,
            format!(
                "input is {} bytes; the limit is {MAX_SOURCE_BYTES}",
                source.len()
            ),
        )
        .with_help(
            "a .cnn file describes layers and archs; it is never this large",
        )]);
    }
    let parsed = parser::parse(source);
    let (desc, check_diags, dropped) = check::check_bounded(&parsed.file, MAX_DIAGNOSTICS);
    let mut diags = parsed.diagnostics;
    diags.extend(check_diags);
    // File order; lexer, parser and checker findings interleave.
    diags.sort_by_key(|d| d.labels.iter().find(|l| l.primary).map(|l| l.span.start));
    let mut extra = parsed.suppressed + dropped;
    if diags.len() > MAX_DIAGNOSTICS {
        extra += diags.len() - MAX_DIAGNOSTICS;
        diags.truncate(MAX_DIAGNOSTICS);
    }
    if extra > 0 {
        diags.push(
            Diagnostic::error(
                Code::TooManyErrors,
                format!("{extra} more errors not shown"),
            )
            .with_help("fix the errors above first"),
        );
    }
    if diags.is_empty() {
        Ok(desc)
    } else {
        Err(diags)
    }
}

/// Bytes that are not UTF-8: a diagnostic pointing at the first bad byte.
pub fn parse_and_check_bytes(bytes: &[u8]) -> Result<Description, Vec<Diagnostic>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => parse_and_check(s),
        Err(e) => {
            let at = e.valid_up_to();
            let end = at + e.error_len().unwrap_or(bytes.len() - at).max(1);
            Err(vec![Diagnostic::error(
                Code::NotUtf8,
                "input is not valid UTF-8",
            )
            .with_primary(
                SrcSpan {
                    start: at,
                    end: end.min(bytes.len()),
                },
                "invalid byte here",
            )
            .with_help("save the file as UTF-8")])
        }
    }
}

/// Parses only (no checking): the syntax tree and the syntax diagnostics.
pub fn parse(source: &str) -> (File, Vec<Diagnostic>) {
    let parsed = parser::parse(source);
    (parsed.file, parsed.diagnostics)
}

/// Renders a checked description as canonical `.cnn` text; parsing and
/// checking the text gives the same description (spans aside).
pub fn print(desc: &Description) -> String {
    crate::syntax::pretty::print(desc)
}

/// A copy with every span zeroed, to compare descriptions from different texts.
pub fn without_spans(desc: &Description) -> Description {
    let mut d = desc.clone();
    for a in &mut d.archs {
        a.span = SrcSpan::default();
    }
    for l in &mut d.layers {
        l.span = SrcSpan::default();
    }
    for n in &mut d.networks {
        n.span = SrcSpan::default();
        for l in &mut n.layers {
            l.span = SrcSpan::default();
        }
        for o in &mut n.not_costed {
            o.span = SrcSpan::default();
        }
    }
    d
}

/// The fuzzing entry point (fuzz/fuzz_targets/frontend.rs and the corpus
/// test): parse and check arbitrary bytes, render any diagnostics in every
/// style, and check that a description survives printing and re-reading.
/// Panics only if the front end is wrong.
pub fn fuzz_one(data: &[u8]) {
    use crate::diag::render::{render, Style};
    let source = String::from_utf8_lossy(data);
    match parse_and_check_bytes(data) {
        Ok(desc) => {
            let text = print(&desc);
            match parse_and_check(&text) {
                Ok(again) => assert_eq!(
                    without_spans(&again),
                    without_spans(&desc),
                    "round trip changed:\n{text}"
                ),
                Err(d) => panic!("printed description does not check: {d:?}\n{text}"),
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for style in [Style::Rich, Style::Short, Style::Json] {
                let _ = render(&diags, "fuzz.cnn", &source, style, false);
            }
        }
    }
}

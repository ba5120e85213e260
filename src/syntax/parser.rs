//! Glue between the lalrpop grammar (grammar/cnn.lalrpop) and the rest:
//! runs the parser over the lexer and turns parse errors into diagnostics.

use lalrpop_util::{ErrorRecovery, ParseError};

use super::ast::File;
use super::lexer::{LexError, Lexer, Tok};
use crate::diag::{Code, Diagnostic};
use crate::model::SrcSpan;

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused_parens,
        unused_imports,
        dead_code
    )]
    grammar,
    "/cnn.rs"
);

/// Syntax errors kept from one file (the rest are counted).
pub const MAX_PARSE_DIAGNOSTICS: usize = 50;

/// The syntax errors the parser recovered from, in file order: the first
/// [`MAX_PARSE_DIAGNOSTICS`] kept, the rest only counted, so a file of a
/// million broken lines holds fifty (each carries the list of tokens
/// expected, a few hundred bytes).
#[derive(Default)]
pub struct Recovered<'input> {
    kept: Vec<ErrorRecovery<usize, Tok<'input>, LexError>>,
    dropped: usize,
}

impl<'input> Recovered<'input> {
    pub fn push(&mut self, e: ErrorRecovery<usize, Tok<'input>, LexError>) {
        if self.kept.len() < MAX_PARSE_DIAGNOSTICS {
            self.kept.push(e);
        } else {
            self.dropped += 1;
        }
    }
}

/// The tree (possibly partial, after recovery) and every problem found.
pub struct Parsed {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems found but not kept as diagnostics.
    pub suppressed: usize,
}

pub fn parse(source: &str) -> Parsed {
    let mut lexer = Lexer::new(source);
    let mut recovered = Recovered::default();
    let result = grammar::FileParser::new().parse(&mut recovered, &mut lexer);
    let mut diagnostics = std::mem::take(&mut lexer.diagnostics);
    let mut suppressed = lexer.suppressed + recovered.dropped;
    let mut push = |d: Diagnostic, diagnostics: &mut Vec<Diagnostic>| {
        if diagnostics.len() < MAX_PARSE_DIAGNOSTICS {
            diagnostics.push(d);
        } else {
            suppressed += 1;
        }
    };
    for rec in recovered.kept {
        push(parse_error(&rec.error, source), &mut diagnostics);
    }
    let file = match result {
        Ok(file) => file,
        Err(e) => {
            push(parse_error(&e, source), &mut diagnostics);
            File {
                decls: Vec::new(),
                span: SrcSpan {
                    start: 0,
                    end: source.len(),
                },
            }
        }
    };
    // Lexical and syntax errors are found interleaved; report in file order.
    diagnostics.sort_by_key(|d| d.labels.first().map(|l| (l.span.start, l.span.end)));
    Parsed {
        file,
        diagnostics,
        suppressed,
    }
}

fn parse_error(e: &ParseError<usize, Tok<'_>, LexError>, source: &str) -> Diagnostic {
    let len = source.len();
    match e {
        ParseError::InvalidToken { location } => Diagnostic::error(Code::Syntax, "invalid token")
            .with_primary(
                SrcSpan {
                    start: *location,
                    end: *location,
                },
                "here",
            ),
        ParseError::UnrecognizedEof { location, expected } => {
            let at = SrcSpan {
                start: (*location).min(len),
                end: (*location).min(len),
            };
            Diagnostic::error(Code::UnexpectedEof, "unexpected end of file")
                .with_primary(at, format!("expected {}", describe_expected(expected)))
                .with_help("a block opened with `{` may be missing its `}`")
        }
        ParseError::UnrecognizedToken {
            token: (start, tok, end),
            expected,
        } => {
            let expected = describe_expected(expected);
            if let Some(d) = missing_semicolon(source, *start, tok, &expected) {
                return d;
            }
            let mut d = Diagnostic::error(Code::Syntax, format!("unexpected {tok}")).with_primary(
                SrcSpan {
                    start: *start,
                    end: *end,
                },
                format!("expected {expected}"),
            );
            if let Some(help) = hint(tok, &expected) {
                d = d.with_help(help);
            }
            d
        }
        ParseError::ExtraToken {
            token: (start, tok, end),
        } => Diagnostic::error(Code::Syntax, format!("unexpected {tok}")).with_primary(
            SrcSpan {
                start: *start,
                end: *end,
            },
            "nothing may follow here",
        ),
        // The lexer never hands an error to the parser; keep a sane message anyway.
        ParseError::User { .. } => Diagnostic::error(Code::Syntax, "invalid input"),
    }
}

/// A statement whose `;` is missing: the parser notices only at the next
/// token (`}`, or the `=` of the next line's `key =`, whose key it read as
/// the value's unit). The caret goes where the `;` belongs: right after
/// the value, before the next key if the `=` is what gave it away.
fn missing_semicolon(
    source: &str,
    start: usize,
    tok: &Tok<'_>,
    expected: &str,
) -> Option<Diagnostic> {
    if !expected.contains("`;`") || expected.contains("`=`") {
        return None;
    }
    let before = source.get(..start)?.trim_end();
    let value_end = if matches!(tok, Tok::Eq) {
        // Step back over the next key (read as a unit) to the value.
        let key_start =
            before.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if key_start.len() == before.len() {
            return None;
        }
        key_start.trim_end().len()
    } else {
        before.len()
    };
    // A `// comment` after the value: the `;` goes before it.
    let line_start = source[..value_end].rfind('\n').map_or(0, |i| i + 1);
    let value_end = match source[line_start..value_end].find("//") {
        Some(c) => source[..line_start + c].trim_end().len().max(line_start),
        None => value_end,
    };
    let value = source[..value_end]
        .rsplit(|c: char| c.is_whitespace() || c == '=')
        .next()
        .filter(|v| !v.is_empty())?;
    // Only where a value plainly ended: the next token closes the block,
    // starts the next `key =`, or is on a later line (`13 # 3` is not a
    // missing `;` but a stray character).
    let ends_value = value
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '"' || c == '_');
    let next_line = source[value_end..start].contains('\n');
    if !ends_value || !(matches!(tok, Tok::RBrace | Tok::Eq) || next_line) {
        return None;
    }
    let at = SrcSpan {
        start: value_end,
        end: value_end,
    };
    Some(
        Diagnostic::error(Code::Syntax, format!("missing `;` after `{value}`"))
            .with_primary(at, "expected `;` here")
            .with_help("end each `key = value` with `;`")
            .with_replacement(";"),
    )
}

/// A fix for the most common slips.
fn hint(tok: &Tok<'_>, expected: &str) -> Option<String> {
    if expected.contains("`;`") && !expected.contains("`=`") {
        return Some("end each `key = value` with `;`".to_string());
    }
    match tok {
        Tok::Ident(_) | Tok::Layer | Tok::Arch | Tok::Network if expected.contains("`layer`") => {
            Some("a file holds `layer`, `arch` and `network` declarations".to_string())
        }
        _ => None,
    }
}

/// Turns lalrpop's list of terminal names into prose: `` `;` or `}` ``.
fn describe_expected(expected: &[String]) -> String {
    let names: Vec<String> = expected
        .iter()
        .map(|e| {
            let bare = e.trim_matches('"');
            match bare {
                "identifier" | "integer" | "decimal" | "string" => bare.to_string(),
                _ => format!("`{bare}`"),
            }
        })
        .collect();
    match names.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

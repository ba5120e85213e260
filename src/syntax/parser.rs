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

/// The tree (possibly partial, after recovery) and every problem found.
pub struct Parsed {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems found but not kept as diagnostics.
    pub suppressed: usize,
}

pub fn parse(source: &str) -> Parsed {
    let mut lexer = Lexer::new(source);
    let mut recovered: Vec<ErrorRecovery<usize, Tok<'_>, LexError>> = Vec::new();
    let result = grammar::FileParser::new().parse(&mut recovered, &mut lexer);
    let mut diagnostics = std::mem::take(&mut lexer.diagnostics);
    let mut suppressed = lexer.suppressed;
    let mut push = |d: Diagnostic, diagnostics: &mut Vec<Diagnostic>| {
        if diagnostics.len() < MAX_PARSE_DIAGNOSTICS {
            diagnostics.push(d);
        } else {
            suppressed += 1;
        }
    };
    for rec in recovered {
        push(parse_error(&rec.error, source.len()), &mut diagnostics);
    }
    let file = match result {
        Ok(file) => file,
        Err(e) => {
            push(parse_error(&e, source.len()), &mut diagnostics);
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

fn parse_error(e: &ParseError<usize, Tok<'_>, LexError>, len: usize) -> Diagnostic {
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

//! Tokens (logos) and the token stream handed to the lalrpop parser.
//!
//! The stream never yields an error to the parser: lexical problems become
//! diagnostics collected on the side, and the stream goes on with the next
//! character, so one bad character costs one diagnostic and parsing still
//! reports everything else in the file.

use logos::{FilterResult, Logos};

use crate::diag::{Code, Diagnostic};
use crate::model::SrcSpan;

/// Lexical errors, turned into diagnostics by [`Lexer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LexError {
    #[default]
    UnexpectedChar,
    UnterminatedComment,
    UnterminatedString,
}

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip r"//[^\n]*")]
pub enum Tok<'input> {
    #[token("layer")]
    Layer,
    #[token("arch")]
    Arch,
    #[token("network")]
    Network,
    /// The shape separator; `13x13` is split into `13`, `x`, `13` by [`Lexer`].
    #[token("x", priority = 10)]
    X,
    /// Identifiers, possibly dotted (`rf.ifmap`).
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")]
    Ident(&'input str),
    #[regex(r"[0-9][0-9_]*")]
    Int(&'input str),
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*([eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)")]
    Dec(&'input str),
    /// The raw text between the quotes, escapes not yet resolved.
    #[token("\"", lex_string)]
    Str(&'input str),
    #[token("/*", block_comment)]
    BlockComment,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(";")]
    Semi,
    #[token("=")]
    Eq,
    #[token(":")]
    Colon,
    #[token("-")]
    Minus,
}

impl std::fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tok::Layer => f.write_str("`layer`"),
            Tok::Arch => f.write_str("`arch`"),
            Tok::Network => f.write_str("`network`"),
            Tok::X => f.write_str("`x`"),
            Tok::Ident(s) => write!(f, "identifier `{s}`"),
            Tok::Int(s) => write!(f, "integer `{s}`"),
            Tok::Dec(s) => write!(f, "number `{s}`"),
            Tok::Str(_) => f.write_str("string"),
            Tok::BlockComment => f.write_str("comment"),
            Tok::LBrace => f.write_str("`{`"),
            Tok::RBrace => f.write_str("`}`"),
            Tok::Semi => f.write_str("`;`"),
            Tok::Eq => f.write_str("`=`"),
            Tok::Colon => f.write_str("`:`"),
            Tok::Minus => f.write_str("`-`"),
        }
    }
}

/// Skips a block comment, counting nesting depth iteratively (100 000 nested
/// `/*` must not recurse). The opening `/*` has been matched already.
fn block_comment<'s>(lex: &mut logos::Lexer<'s, Tok<'s>>) -> FilterResult<(), LexError> {
    let rest = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], rest.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    lex.bump(i);
                    return FilterResult::Skip;
                }
            }
            _ => i += 1,
        }
    }
    lex.bump(rest.len());
    FilterResult::Error(LexError::UnterminatedComment)
}

/// Finds the closing quote. Strings end at the line: an unterminated string
/// then swallows one line only, which keeps error recovery local.
fn lex_string<'s>(lex: &mut logos::Lexer<'s, Tok<'s>>) -> Result<&'s str, LexError> {
    let rest = lex.remainder();
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                lex.bump(i + 1);
                return Ok(&rest[..i]);
            }
            // An escape takes the next character along, whatever it is
            // (checked later); a backslash before a newline does not.
            b'\\' if bytes.get(i + 1).is_some_and(|&b| b != b'\n') => {
                i += 1;
                // Step over a whole UTF-8 character.
                i += rest[i..].chars().next().map_or(1, char::len_utf8);
            }
            b'\n' => break,
            _ => i += 1,
        }
    }
    lex.bump(i);
    Err(LexError::UnterminatedString)
}

/// Resolves `\"` and `\\` (and, leniently, keeps any other escape as
/// written; [`Lexer`] has reported it already).
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('"' | '\\')) => out.push(e),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Diagnostics kept from one file; the rest are only counted, so that a
/// megabyte of garbage does not become a megabyte of messages.
pub const MAX_LEX_DIAGNOSTICS: usize = 50;

/// `x13` or `x13x3` right after an integer: the tail of a shape written
/// without spaces (`13x13`), which logos reads as an identifier.
fn is_shape_tail(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'x' {
        return false;
    }
    s[1..].split('x').all(|part| {
        part.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && part.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    })
}

pub type Spanned<'input> = (usize, Tok<'input>, usize);

/// The token stream for the parser; collects lexical diagnostics.
pub struct Lexer<'input> {
    inner: logos::Lexer<'input, Tok<'input>>,
    /// Tokens split off a shape tail, waiting to be handed out.
    pending: std::collections::VecDeque<Spanned<'input>>,
    last_was_int: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// Lexical errors not kept because of [`MAX_LEX_DIAGNOSTICS`].
    pub suppressed: usize,
    /// Span of the run of unexpected characters being accumulated.
    bad_run: Option<(usize, usize)>,
}

impl<'input> Lexer<'input> {
    pub fn new(source: &'input str) -> Self {
        Lexer {
            inner: Tok::lexer(source),
            pending: Default::default(),
            last_was_int: false,
            diagnostics: Vec::new(),
            suppressed: 0,
            bad_run: None,
        }
    }

    fn report(&mut self, d: Diagnostic) {
        if self.diagnostics.len() < MAX_LEX_DIAGNOSTICS {
            self.diagnostics.push(d);
        } else {
            self.suppressed += 1;
        }
    }

    /// Reports the accumulated run of unexpected characters, if any.
    fn flush_bad_run(&mut self) {
        if let Some((start, end)) = self.bad_run.take() {
            let text = self.inner.source().get(start..end).unwrap_or("");
            let shown: String = text.chars().take(10).collect();
            let what = if text.chars().count() == 1 {
                format!("unexpected character `{}`", shown.escape_debug())
            } else {
                format!("unexpected characters `{}`", shown.escape_debug())
            };
            self.report(
                Diagnostic::error(Code::UnexpectedChar, what)
                    .with_primary(SrcSpan { start, end }, "not part of the language")
                    .with_help("remove it; names use A-Z, a-z, 0-9 and `_`, and comments start with `//` or `/*`"),
            );
        }
    }

    fn check_escapes(&mut self, raw: &str, start: usize) {
        let mut iter = raw.char_indices();
        while let Some((i, c)) = iter.next() {
            if c == '\\' {
                if let Some((j, e)) = iter.next() {
                    if e != '"' && e != '\\' {
                        let span = SrcSpan {
                            start: start + i,
                            end: start + j + e.len_utf8(),
                        };
                        self.report(
                            Diagnostic::error(
                                Code::BadEscape,
                                format!("unknown escape `\\{}`", e.escape_debug()),
                            )
                            .with_primary(span, "not a known escape")
                            .with_help("strings know only `\\\"` and `\\\\`"),
                        );
                    }
                }
            }
        }
    }

    fn split_shape_tail(&mut self, tail: &'input str, start: usize) -> Spanned<'input> {
        // `tail` is `x13` or `x13x3`: alternate `x` and integer tokens.
        let mut pos = start;
        for (k, part) in tail.split('x').enumerate() {
            if k == 0 {
                continue; // the empty piece before the leading `x`
            }
            self.pending.push_back((pos, Tok::X, pos + 1));
            pos += 1;
            self.pending
                .push_back((pos, Tok::Int(part), pos + part.len()));
            pos += part.len();
        }
        // The first pending token is always an `x`.
        self.pending
            .pop_front()
            .unwrap_or((start, Tok::X, start + 1))
    }
}

impl<'input> Iterator for Lexer<'input> {
    type Item = Result<Spanned<'input>, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(t) = self.pending.pop_front() {
            self.last_was_int = matches!(t.1, Tok::Int(_));
            return Some(Ok(t));
        }
        loop {
            let result = self.inner.next();
            let span = self.inner.span();
            match result {
                None => {
                    self.flush_bad_run();
                    return None;
                }
                Some(Err(LexError::UnexpectedChar)) => {
                    // Merge neighbouring bad characters into one diagnostic.
                    self.bad_run = match self.bad_run {
                        Some((s, e)) if e == span.start => Some((s, span.end)),
                        _ => {
                            self.flush_bad_run();
                            Some((span.start, span.end))
                        }
                    };
                    continue;
                }
                Some(Err(LexError::UnterminatedComment)) => {
                    self.flush_bad_run();
                    let open = SrcSpan {
                        start: span.start,
                        end: span.start + 2,
                    };
                    self.report(
                        Diagnostic::error(Code::UnterminatedComment, "unterminated block comment")
                            .with_primary(open, "this comment is never closed")
                            .with_note("block comments nest: every `/*` needs its own `*/`")
                            .with_help("add `*/` where the comment should end"),
                    );
                    continue;
                }
                Some(Err(LexError::UnterminatedString)) => {
                    self.flush_bad_run();
                    let s = SrcSpan {
                        start: span.start,
                        end: span.end,
                    };
                    self.report(
                        Diagnostic::error(Code::UnterminatedString, "unterminated string")
                            .with_primary(s, "this string has no closing `\"`")
                            .with_help("close the string with `\"` on the same line"),
                    );
                    // Hand the parser a string anyway so that the
                    // statement around it still parses.
                    let raw = self
                        .inner
                        .source()
                        .get(span.start + 1..span.end)
                        .unwrap_or("");
                    self.check_escapes(raw, span.start + 1);
                    self.last_was_int = false;
                    return Some(Ok((span.start, Tok::Str(raw), span.end)));
                }
                Some(Ok(tok)) => {
                    self.flush_bad_run();
                    let out = match tok {
                        Tok::BlockComment => continue,
                        Tok::Str(raw) => {
                            self.check_escapes(raw, span.start + 1);
                            (span.start, tok, span.end)
                        }
                        Tok::Ident(s) if self.last_was_int && is_shape_tail(s) => {
                            self.split_shape_tail(s, span.start)
                        }
                        _ => (span.start, tok, span.end),
                    };
                    self.last_was_int = matches!(out.1, Tok::Int(_));
                    return Some(Ok(out));
                }
            }
        }
    }
}

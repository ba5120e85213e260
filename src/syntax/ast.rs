//! The syntax tree, exactly as written: no names resolved, no units
//! converted. Every node has a span. Nesting is at most three blocks deep
//! (network > layer > mapping) because the grammar is stratified, so
//! dropping a tree never recurses deeply.

use crate::model::SrcSpan;

pub type Span = SrcSpan;

pub fn span(start: usize, end: usize) -> Span {
    SrcSpan { start, end }
}

#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub decls: Vec<Decl>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    Layer,
    Arch,
    Network,
}

impl DeclKind {
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Layer => "layer",
            DeclKind::Arch => "arch",
            DeclKind::Network => "network",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `layer NAME { ... }`, `arch NAME : BASE { ... }`, `network NAME { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    pub kind: DeclKind,
    pub kind_span: Span,
    pub name: Ident,
    pub base: Option<Ident>,
    pub body: Body,
    pub span: Span,
}

/// `{ items }`; `span` covers the braces.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub items: Vec<Item>,
    pub span: Span,
}

impl Body {
    /// Whether part of this body (or of a block in it) failed to parse.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|i| match i {
            Item::Error(_) => true,
            // Blocks hold only entries, so this looks one level down at most.
            Item::Block(b) => b.body.items.iter().any(|i| matches!(i, Item::Error(_))),
            _ => false,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `key = value;`
    Entry(Entry),
    /// `name { ... }`, e.g. `mapping { ... }`.
    Block(Block),
    /// A declaration nested in another, e.g. a layer in a network.
    Decl(Box<Decl>),
    /// Something that did not parse (already reported). Its presence tells
    /// the checker not to complain about keys that may have been in it.
    Error(Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Ident,
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub name: Ident,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// `12`, `-3`, `0.9 pJ`, `200 MHz`.
    Number {
        negative: bool,
        number: Number,
        unit: Option<Ident>,
    },
    /// Two or more integers joined by `x`.
    Shape(Vec<IntLit>),
    Str(String),
    /// A bare word such as `on` or `off`.
    Word(Ident),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    Int(IntLit),
    /// The literal as written (with `_`), e.g. `0.9` or `1e-3`.
    Dec {
        text: String,
        span: Span,
    },
}

impl Number {
    pub fn span(&self) -> Span {
        match self {
            Number::Int(i) => i.span,
            Number::Dec { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntLit {
    /// `None` when the literal does not fit in 64 bits.
    pub value: Option<u64>,
    pub span: Span,
}

impl IntLit {
    pub fn parse(text: &str, span: Span) -> IntLit {
        let mut value: Option<u64> = Some(0);
        for b in text.bytes() {
            if b.is_ascii_digit() {
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_add(u64::from(b - b'0')));
            }
        }
        IntLit { value, span }
    }
}

//! Source text to syntax tree: the logos lexer, the lalrpop parser, the tree.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod pretty;

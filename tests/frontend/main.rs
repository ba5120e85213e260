//! The front end: parsing, checking, printing and diagnostics of `.cnn`
//! files, the inputs of `tests/ui/` run as their header lines say, the fuzz
//! corpus replay, the error-code table and `cnnc import`.

#[path = "../common/mod.rs"]
mod common;

mod ast;
mod cli;
mod codes;
mod corpus;
mod import;
mod roundtrip;
mod stress;
mod ui;

//! Choices a user makes on the command line that the stages below the front
//! end need to know. Kept apart from clap so the library is usable without it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PassKind {
    Forward,
    Igrad,
    Fgrad,
    /// A training step: forward, igrad and fgrad.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    /// Row-stationary.
    Rs,
    /// Grad-Flow (EcoFlow).
    Gflow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Emit {
    Ast,
    Ir,
    Signals,
    Stats,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
    /// One row per layer, pass and dataflow, with a header.
    Csv,
}

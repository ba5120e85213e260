//! cnnc: a compiler and cycle-accurate simulator for Eyeriss-style spatial
//! CNN accelerators. See `docs/architecture.md` for the stages.

pub mod api;
pub mod backend;
pub mod bytecode;
pub mod check;
pub mod cli;
pub mod cost;
pub mod diag;
pub mod dram;
pub mod driver;
pub mod flags;
pub mod frontend;
pub mod import;
pub mod io;
pub mod ir;
pub mod limits;
pub mod lsp;
pub mod model;
pub mod options;
pub mod parallel;
pub mod passes;
pub mod plot;
pub mod progress;
pub mod schema;
pub mod sim;
pub mod stats;
pub mod sweep;
pub mod syntax;
pub mod vocab;

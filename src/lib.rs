//! cnnc: a compiler and cycle-accurate simulator for Eyeriss-style spatial
//! CNN accelerators. See `docs/architecture.md` for the stages.

pub mod backend;
pub mod check;
pub mod cli;
pub mod driver;
pub mod frontend;
pub mod syntax;
pub mod cost;
pub mod diag;
pub mod model;
pub mod options;

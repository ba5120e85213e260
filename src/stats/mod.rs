//! Statistics: what a run cost, as text, JSON and CSV. Every field is
//! defined in `docs/stats.md`.

mod csv;
pub mod csv_rows;
mod physical;
mod text;

pub use crate::sim::{pass_stats, PassStats, PeRow, PeSet};
pub use csv::pe_csv;
pub use physical::PhysicalStats;
pub use text::{pass_text, pe_table};

//! Statistics: what a run cost, as text, JSON and CSV. Every field is
//! defined in `docs/stats.md`. The simulator's statistics types live in
//! `sim/stats.rs` (re-exported here), the layer model's in `cost::layer`;
//! this module renders them.

mod csv;
mod text;

pub use crate::sim::{pass_stats, PassStats, PeRow, PeSet, PhysicalStats};
pub use csv::pe_csv;
pub use text::{pass_text, pe_table};

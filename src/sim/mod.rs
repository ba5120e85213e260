//! The cycle-accurate interpreter of the signal bytecode, with real values,
//! and the reference it is checked against.

pub mod data;
mod glb_banks;
mod layer_bind;
mod layer_full;
mod layer_program;
mod layer_simulation;
mod layer_totals;
mod layer_verify;
mod machine;
mod outcome;
mod pe;
pub mod reference;
mod scratchpads;
mod stats;
mod verify_values;
mod whole_layer;

pub use glb_banks::{BankTrace, GlbEvent, GlbUse, RegionBanks};
pub use layer_program::{Compiler, PassProgram};
pub use layer_simulation::{LayerSimulation, NotSimulated};
pub use layer_verify::{sample as sample_verification, verify_full, LayerVerification};
pub use machine::{run, ArrayParams, Machine, Run};
pub use outcome::{simulate, PassOutcome};
pub use pe::{PeCounters, SimError};
pub use stats::{pass_stats, PassStats, PeRow, PeSet, PhysicalStats};
pub use verify_values::{check_outputs, Mismatch};
pub use whole_layer::{simulate_layer, MAX_FULL_PASSES};

//! DRAM power model: DRAMPower's equations in Rust (see docs/energy.md,
//! "DRAM energy").
//!
//! * [`memspec`]: DRAMPower JSON memspecs, three built in.
//! * [`generate`] / [`generate_for`]: transfers -> command stream.
//! * [`region_commands`]: traffic over address regions (a layer's) ->
//!   transfers, sampled when long -> command stream.
//! * [`TimedDram`]: transfers at the times a layer's timeline issues them
//!   -> one command stream, powered down between them -> energy.
//! * [`energy`]: command stream -> energy breakdown (pJ).
//! * [`write_trace`] / [`parse_trace`]: DRAMPower's trace text forms.
//! * [`DramError`]: why a memspec, trace or stream is refused; the callers
//!   (`cnnc dram` in `driver/dram_cmd.rs`, the layer model's `CostError`)
//!   pick its code.

mod address_map;
mod command;
mod counters;
mod error;
mod generate;
pub mod limits;
mod memspec;
mod power;
mod region_traffic;
mod report;
mod scheduler;
mod stream;
mod timed;
mod trace;

pub use command::{Command, CommandKind};
pub use counters::{count, Counters};
pub use error::{DramError, MemspecFault, MemspecOrigin, TraceFault};
pub use generate::{generate, generate_for, GenOptions, Generated, Pacing, Transfer, TransferKind};
pub use limits::{MAX_LINE, MAX_MEMSPEC_BYTES, MAX_TIMING_CYCLES, MAX_TRACE_CYCLE, WINDOW};
pub use memspec::{
    builtin_memspecs, is_memspec_name, memspec, parse_memspec, MemSpec, Timing, VoltageDomain,
};
pub use power::{energy, energy_from_counters, DramEnergy};
pub use region_traffic::{
    pj_per_byte, region_commands, RegionTraffic, MAX_EXACT_BURSTS, MAX_TRANSFERS,
};
pub use report::{format_energy, json as energy_json, text as energy_text};
pub use stream::analyse;
pub use timed::TimedDram;
pub use trace::{parse_trace, trace_end_cycle, write_trace, Trace};

//! The DRAM model's limits, in one file that imports nothing: the error
//! messages that name them and the code that checks them both read them
//! here.

/// Upper bound on the commands one call may produce (~2.5 GB of memory).
pub const MAX_COMMANDS: u64 = 1 << 27;

/// Upper bound on the covered duration (~15 years at 2.4 GHz).
pub const MAX_CYCLES: u64 = 1 << 60;

/// Longest trace line read; longer ones are refused (a line of v5's long
/// form with data is under 200 bytes).
pub const MAX_LINE: usize = 4096;

/// Lines per window, as v4.1's CliHandler (CMD_ANALYSIS_WINDOW_SIZE).
pub const WINDOW: usize = 1_000_000;

/// Cycles from this one on (2^53, ~100 years at 3 GHz) are refused: every sum
/// of cycles then stays exact in the f64 energy equations.
pub const MAX_TRACE_CYCLE: u64 = 1 << 53;

/// Largest memspec file read (DRAMPower's are a few KiB).
pub const MAX_MEMSPEC_BYTES: u64 = 1 << 20;

/// Largest timing accepted, in clock cycles (real ones are below 20 000:
/// tREFI of DDR4-3200 is 12 480): every sum of timings stays exact.
pub const MAX_TIMING_CYCLES: u64 = 1_000_000;

/// Largest current (A) or voltage (V) accepted: real parts draw well
/// under 1 A per device at under 3 V.
pub const MAX_ELECTRICAL: f64 = 1000.0;

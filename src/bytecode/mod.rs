//! The signal bytecode: per-PE programs of control steps with affine repeat
//! loops, so that a program's size follows the structure of the schedule
//! rather than its length in cycles. See `docs/architecture.md` for the
//! format (text and binary).

pub mod array;
mod binary;
mod compress;
mod isa;
mod text;
mod verify;

pub use binary::{decode, encode, DecodeError};
pub use compress::{compress, compress_deliveries, compress_init};
pub use isa::{
    expand_init, Ctl, Deliveries, DeliveryRun, Delta, InitRun, Insn, PeEntry, Program, FLAG_PUSH,
    FLAG_TAKE_IN, NONE, VERSION,
};
pub use text::print_program;
pub use verify::{verify_program, verify_structure, Expanded, VerifyError};

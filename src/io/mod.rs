//! Files in and out: inputs read only from regular files and only up to a
//! size cap, outputs written whole or not at all (see docs/language.md §4,
//! "Files").

pub mod input;
pub mod outfile;
pub mod stdout;

pub use input::{read_capped, ReadError};
pub use outfile::{file_id, same_file, OutFile};

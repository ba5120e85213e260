//! Typed, validated descriptions produced by the checker and consumed by every
//! later stage. Nothing here knows about syntax; spans travel as plain data.

mod arch;
mod layer;
pub mod memspec_names;
mod network;

pub use arch::{Arch, SearchPrices};
pub use layer::{Layer, MappingHint};
pub use network::{shapes_text, Description, Network, NotCosted, TensorShape};

/// A byte range in a source file, kept as plain data so that lower stages can
/// point back at the source without importing the front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct SrcSpan {
    pub start: usize,
    pub end: usize,
}

/// Height x width pair used for every 2-D extent (shapes, strides, paddings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Hw {
    pub h: u64,
    pub w: u64,
}

impl Hw {
    pub const fn new(h: u64, w: u64) -> Self {
        Hw { h, w }
    }
    pub const fn square(v: u64) -> Self {
        Hw { h: v, w: v }
    }
    pub const fn area(self) -> u64 {
        self.h * self.w
    }
    /// 1 x 1 (the default dilation).
    pub fn is_one(&self) -> bool {
        *self == Hw::square(1)
    }
    /// 0 x 0 (the default padding).
    pub fn is_zero(&self) -> bool {
        *self == Hw::default()
    }
}

impl std::fmt::Display for Hw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} x {}", self.h, self.w)
    }
}

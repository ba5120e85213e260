//! The array contract the bytecode is verified and executed against: the
//! networks' scan order and the per-PE output buffer, and the bound on a
//! program's deliveries.

/// Outputs each PE can hold while waiting for global-buffer bandwidth
/// (the original's per-PE OFM buffer).
pub const OFMAP_BUFFER_DEPTH: u64 = 256;

/// The order in which the array serves PEs on the ofmap and psum networks:
/// column by column, top row first in each column. Earlier PEs win the
/// global-buffer bandwidth. Returns row-major PE indices.
pub fn scan_order(rows: usize, cols: usize) -> Vec<usize> {
    let mut v = Vec::with_capacity(rows * cols);
    for y in 0..cols {
        for x in 0..rows {
            v.push(x * cols + y);
        }
    }
    v
}

/// Most deliveries a program may expand to (far above any the compiler
/// emits: one per element of a 4096 x 4096 slice).
pub const MAX_DELIVERIES: usize = 1 << 25;

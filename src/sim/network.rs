//! Array-level network constants and scan order.

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

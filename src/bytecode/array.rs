//! The array contract the bytecode is verified and executed against: the
//! networks' scan order and the per-PE output buffer, and the bound on a
//! program's deliveries.

/// Outputs each PE can hold while waiting for global-buffer bandwidth
/// (the original's per-PE OFM buffer): the smallest buffer modelled.
pub const OFMAP_BUFFER_DEPTH: u64 = 256;

/// The output buffer of a PE that produces `outputs` outputs in a pass:
/// large enough for all of them, and at least the original's 256. The
/// logical PE set of the per-pass model can hold hundreds of PEs that all
/// finish rows at once (a 512 x 512 layer: 1 536 PEs of 512 outputs each)
/// while the ofmap network writes `noc.ofmap` per cycle; a fixed 256 would
/// refuse such layers although nothing is lost: the outputs wait and the
/// drain, which the cycle counts include, takes the time the bandwidth
/// needs. (The physical pass, which models the array, is unaffected.)
pub fn ofmap_buffer_depth(outputs: u64) -> u64 {
    outputs.max(OFMAP_BUFFER_DEPTH)
}

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

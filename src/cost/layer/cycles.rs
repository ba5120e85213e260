//! Layer cycles on the physical array for one blocking.
//!
//! A processing pass runs one piece on each of r·t sets; inside a set the
//! n·p·q convolutions it holds run one after another, each taking the
//! cycles of control of the simulated 2-D convolution. Three things
//! proceed at once: the array computes, the ifmap and filter networks
//! deliver the next data (at `noc.ifmap` / `noc.filter` elements per
//! cycle; psums coming back from the global buffer use the ifmap side), and
//! the ofmap network carries psums and outputs to the global buffer (at
//! `noc.ofmap` per cycle). Scratchpads stream their data as the physical
//! pass does (`physical_stats`: its cycles track the slowest of its
//! deliveries and its compute), so the layer takes the longest of the three.

use super::convs::{block_count, blocks, Convs};
use super::geometry::Geometry;
use super::Mapping;
use crate::model::Arch;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycles {
    pub compute: u128,
    /// Cycles the ofmap network needs for the layer's GLB writes.
    pub collect: u128,
    pub load: u128,
    pub total: u128,
    pub passes: u128,
}

/// Sum over blocks of ceil(block / k): the convolutions the busiest set of
/// each block runs.
fn serial(d: u64, block: u64, k: u64) -> u128 {
    blocks(d, block)
        .iter()
        .map(|&(b, c)| b.div_ceil(k.max(1) as u128) * c)
        .sum()
}

pub fn cycles(
    geo: &Geometry,
    c: &Convs,
    arch: &Arch,
    m: &Mapping,
    psum_trips: u128,
    glb_writes: u128,
) -> Cycles {
    let pt = m.p.saturating_mul(m.t);
    let qr = m.q.saturating_mul(m.r);
    let pieces = geo.pieces() as u128;
    let compute = pieces
        * geo.conv_compute_cycles as u128
        * c.images as u128
        * serial(c.filters, pt, m.t)
        * serial(c.channels, qr, m.r);
    let (bw_i, bw_f) = (
        arch.noc_ifmap.max(1) as u128,
        arch.noc_filter.max(1) as u128,
    );
    let mut load = 0u128;
    for s in &geo.strips {
        for pc in &s.pieces {
            for &(nb, kn) in &blocks(c.images, m.n) {
                for &(fb, kf) in &blocks(c.filters, pt) {
                    for &(cb, kc) in &blocks(c.channels, qr) {
                        let times = kn * kf * kc;
                        if times == 0 {
                            continue;
                        }
                        let i = (nb * cb * pc.ifmap as u128).div_ceil(bw_i);
                        let f = (fb * cb * pc.filter as u128).div_ceil(bw_f);
                        load += times * i.max(f);
                    }
                }
            }
        }
    }
    let g = c.groups as u128;
    // `psum_trips` is already the whole layer's.
    let load = g * load + psum_trips.div_ceil(bw_i);
    let compute = g * compute;
    let collect = glb_writes.div_ceil(arch.noc_ofmap.max(1) as u128);
    let passes = g
        * pieces
        * block_count(c.images, m.n)
        * block_count(c.filters, pt)
        * block_count(c.channels, qr);
    Cycles {
        compute,
        collect,
        load,
        total: compute.max(collect).max(load),
        passes,
    }
}

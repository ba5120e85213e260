//! Layer cycles on the physical array for one blocking.
//!
//! A processing pass runs one piece on each of r·t sets; inside a set the
//! n images run one after another and, for row-stationary, the p filters
//! and q channels a PE holds are interleaved window by window (JSSC 2017
//! section IV-A; see `geometry::Interleave`); other dataflows run their
//! p·q convolutions one after another, each taking the cycles of control of
//! the simulated 2-D convolution. Five things proceed at once: the array
//! computes; the ifmap and filter networks deliver the next data (at
//! `noc.ifmap` / `noc.filter` elements per cycle); psums come back from the
//! global buffer on their own network (`noc.psum`); the ofmap network
//! carries psums and outputs to the global buffer (`noc.ofmap`); and the
//! DRAM link moves the layer's DRAM bytes (`dram.width` at `dram.clock`).
//! Scratchpads stream their data as the physical pass does
//! (`physical_stats`: its cycles track the slowest of its deliveries and its
//! compute), so the layer takes the longest of the five: the chip's
//! "processing latency", with DRAM traffic overlapped.

use super::geometry::Geometry;
use crate::ir::layer_plan::{block_count, blocks, Convs};
use crate::ir::Mapping;
use crate::model::Arch;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycles {
    pub compute: u128,
    /// Cycles the ofmap network needs for the layer's GLB writes.
    pub collect: u128,
    pub load: u128,
    /// Cycles the psum network needs to bring psums back into the array.
    pub psum_return: u128,
    /// Cycles the DRAM link needs for the layer's DRAM bytes.
    pub dram_link: u128,
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
    dram_bytes: u128,
) -> Cycles {
    let pt = m.p.saturating_mul(m.t);
    let qr = m.q.saturating_mul(m.r);
    let pieces = geo.pieces() as u128;
    let per_pass = match geo.interleave {
        Some(il) => {
            let mut sum = 0u128;
            for &(fb, kf) in &blocks(c.filters, pt) {
                for &(cb, kc) in &blocks(c.channels, qr) {
                    let (p, q) = (fb.div_ceil(m.t as u128), cb.div_ceil(m.r as u128));
                    sum += kf * kc * il.cycles(p, q);
                }
            }
            sum
        }
        None => {
            geo.conv_compute_cycles as u128
                * serial(c.filters, pt, m.t)
                * serial(c.channels, qr, m.r)
        }
    };
    let compute = pieces * c.images as u128 * per_pass;
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
    let load = g * load;
    // `psum_trips` is already the whole layer's.
    let psum_return = psum_trips.div_ceil(arch.noc_psum.max(1) as u128);
    let dram_link = arch.dram_link_cycles(dram_bytes);
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
        psum_return,
        dram_link,
        total: compute
            .max(collect)
            .max(load)
            .max(psum_return)
            .max(dram_link),
        passes,
    }
}

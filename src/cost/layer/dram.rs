//! The layer's DRAM traffic as a command stream for the DRAM model: each
//! data type has its own address region (ifmap, filter, psum, ofmap, 1 GiB
//! apart), a region is read or written in passes over the type's
//! footprint (a re-read touches the same addresses again), and the bursts
//! are spread over the layer's duration at the arch clock.

use serde::Serialize;

use super::LayerStats;
use crate::cost::dram::{generate_for, memspec, GenOptions, Generated, MemSpec, Pacing, Request};
use crate::model::Arch;

/// Distinct bytes of each data type in DRAM (the region a pass re-reads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Regions {
    pub ifmap: u64,
    pub filter: u64,
    pub psum: u64,
    pub ofmap: u64,
}

const REGION: u64 = 1 << 30;

/// `total` bytes in passes over `footprint` bytes starting at `base`.
fn passes(out: &mut Vec<Request>, write: bool, base: u64, footprint: u64, total: u64) {
    let f = footprint.max(1);
    let mut left = total;
    while left > 0 {
        let len = left.min(f);
        out.push(if write {
            Request::write(base, len)
        } else {
            Request::read(base, len)
        });
        left -= len;
    }
}

/// The requests, in the order the loop nest issues them by type. Empty
/// when they would be more than [`MAX_REQUESTS`] (see [`commands`]).
pub fn requests(s: &LayerStats) -> Vec<Request> {
    let streams = streams(s);
    let count: u64 = streams.iter().fold(0u64, |a, st| {
        a.saturating_add(st.total.div_ceil(st.footprint.max(1)))
    });
    let mut v = Vec::new();
    if count > MAX_REQUESTS {
        return v;
    }
    for st in &streams {
        passes(&mut v, st.write, st.base, st.footprint, st.total);
    }
    v
}

/// The layer's DRAM traffic as a command stream, issued back to back. The
/// DRAM's background energy is then counted over the time it is busy, not
/// over the whole layer: between transfers it is taken to sit in power-down,
/// which the model does not charge (see docs/layer-model.md §7). Spreading
/// the traffic over the layer instead would charge active-standby current
/// for the whole layer, which for a 100 ms layer dwarfs every access.
///
/// A layer with more than [`MAX_EXACT_BURSTS`] bursts of DRAM traffic is
/// modelled on a sample: every request shortened by the returned factor
/// `f` (each pass over a region keeps its shape), and the sample's energy
/// is `f` times smaller than the layer's. The DRAM model's energy is linear
/// in the commands and the busy time, so scaling by `f` keeps the
/// breakdown; only row-buffer effects at the shortened boundaries differ.
pub fn commands(spec: &MemSpec, s: &LayerStats) -> Result<(Generated, u64), String> {
    let opts = GenOptions {
        cover_cycles: 0,
        pacing: Pacing::Greedy,
    };
    let burst = spec.burst_bytes().max(1);
    let streams = streams(s);
    // Counted before any request is made: a huge batch re-reads a small
    // footprint billions of times.
    let count: u64 = streams.iter().fold(0u64, |a, st| {
        a.saturating_add(st.total.div_ceil(st.footprint.max(1)))
    });
    // As the sum over the listed requests: whole passes, then the rest.
    let bursts: u64 = streams.iter().fold(0u64, |a, st| {
        let f = st.footprint.max(1);
        let whole = (st.total / f).saturating_mul(f.div_ceil(burst));
        a.saturating_add(whole.saturating_add((st.total % f).div_ceil(burst)))
    });
    let factor = bursts.div_ceil(MAX_EXACT_BURSTS).max(1);
    let sample: Vec<Request> = if count <= MAX_REQUESTS {
        requests(s)
            .iter()
            .map(|r| Request {
                len: r.len.div_ceil(factor),
                ..*r
            })
            .collect()
    } else {
        // Too many passes to list: the sample keeps each type's bytes over
        // `factor` in passes of at least one burst over its shortened
        // footprint, so it holds at most MAX_EXACT_BURSTS bursts and as
        // many requests.
        let mut v = Vec::new();
        for st in &streams {
            let f = st.footprint.max(1).div_ceil(factor).max(burst);
            passes(&mut v, st.write, st.base, f, st.total.div_ceil(factor));
        }
        v
    };
    Ok((generate_for(spec, &sample, &opts)?, factor))
}

/// Requests a layer's traffic is listed as before it is sampled by
/// shortening passes instead ([`commands`]).
pub const MAX_REQUESTS: u64 = 1 << 20;

/// One data type's traffic: `total` bytes in passes over `footprint`.
struct Stream {
    write: bool,
    base: u64,
    footprint: u64,
    total: u64,
}

fn streams(s: &LayerStats) -> [Stream; 5] {
    let d = &s.traffic.dram;
    let g = &s.dram_regions;
    let st = |write, base, footprint, total| Stream {
        write,
        base,
        footprint,
        total,
    };
    [
        st(false, 0, g.ifmap, d.ifmap.read_bytes),
        st(false, REGION, g.filter, d.filter.read_bytes),
        st(true, 2 * REGION, g.psum, d.psum.write_bytes),
        st(false, 2 * REGION, g.psum, d.psum.read_bytes),
        st(true, 3 * REGION, g.ofmap, d.ofmap.write_bytes),
    ]
}

/// DRAM bursts a layer's command stream simulates exactly; beyond this the
/// stream is sampled (see [`commands`]).
pub const MAX_EXACT_BURSTS: u64 = 1 << 21;

/// Energy per byte of a streaming read, for the search's estimate.
pub fn pj_per_byte(spec: &MemSpec) -> f64 {
    const BYTES: u64 = 1 << 16;
    let g = generate_for(spec, &[Request::read(0, BYTES)], &GenOptions::default());
    match g {
        Ok(g) => crate::cost::dram::energy(spec, &g.commands, g.end_cycle).total / BYTES as f64,
        Err(_) => 0.0,
    }
}

pub fn spec(arch: &Arch) -> Result<MemSpec, String> {
    memspec(&arch.dram)
}

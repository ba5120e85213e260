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

/// The requests, in the order the loop nest issues them by type.
pub fn requests(s: &LayerStats) -> Vec<Request> {
    let d = &s.traffic.dram;
    let g = &s.dram_regions;
    let mut v = Vec::new();
    passes(&mut v, false, 0, g.ifmap, d.ifmap.read_bytes);
    passes(&mut v, false, REGION, g.filter, d.filter.read_bytes);
    passes(&mut v, true, 2 * REGION, g.psum, d.psum.write_bytes);
    passes(&mut v, false, 2 * REGION, g.psum, d.psum.read_bytes);
    passes(&mut v, true, 3 * REGION, g.ofmap, d.ofmap.write_bytes);
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
    let full = requests(s);
    let burst = spec.burst_bytes().max(1);
    let bursts: u64 = full.iter().map(|r| r.len.div_ceil(burst)).sum();
    let factor = bursts.div_ceil(MAX_EXACT_BURSTS).max(1);
    let sample: Vec<Request> = full
        .iter()
        .map(|r| Request {
            len: r.len.div_ceil(factor),
            ..*r
        })
        .collect();
    Ok((generate_for(spec, &sample, &opts)?, factor))
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

//! Traffic over address regions as the generator's transfers: each stream's
//! bytes are read or written in sweeps over its footprint (a re-read
//! touches the same addresses again), issued back to back, and traffic too
//! long to simulate exactly is sampled. What the streams are is the layer
//! model's business (`cost::layer::dram_traffic`); turning them into
//! commands is this file's.

use super::error::DramError;
use super::generate::{generate_for, GenOptions, Generated, Pacing, Transfer};
use super::memspec::MemSpec;

/// `total` bytes read (or written) in sweeps over the `footprint` bytes
/// starting at byte address `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionTraffic {
    pub write: bool,
    pub base: u64,
    pub footprint: u64,
    pub total: u64,
}

/// `total` bytes in sweeps over `footprint` bytes starting at `base`.
fn sweeps(out: &mut Vec<Transfer>, write: bool, base: u64, footprint: u64, total: u64) {
    let f = footprint.max(1);
    let mut left = total;
    while left > 0 {
        let len = left.min(f);
        out.push(if write {
            Transfer::write(base, len)
        } else {
            Transfer::read(base, len)
        });
        left -= len;
    }
}

/// Sweeps the streams take (one transfer each), counted before any is made:
/// a huge batch re-reads a small footprint billions of times.
fn sweep_count(streams: &[RegionTraffic]) -> u64 {
    streams.iter().fold(0u64, |a, st| {
        a.saturating_add(st.total.div_ceil(st.footprint.max(1)))
    })
}

/// The transfers, stream after stream. Empty when they would be more than
/// [`MAX_TRANSFERS`] (see [`region_commands`]).
fn transfers(streams: &[RegionTraffic]) -> Vec<Transfer> {
    let mut v = Vec::new();
    if sweep_count(streams) > MAX_TRANSFERS {
        return v;
    }
    for st in streams {
        sweeps(&mut v, st.write, st.base, st.footprint, st.total);
    }
    v
}

/// The streams as a command stream, issued back to back. The DRAM's
/// background energy is then counted over the time it is busy, not over
/// the whole layer: between transfers it is taken to sit in power-down,
/// which the model does not charge (see docs/layer-model.md §7). Spreading
/// the traffic over the layer instead would charge active-standby current
/// for the whole layer, which for a 100 ms layer dwarfs every access.
///
/// Traffic of more than [`MAX_EXACT_BURSTS`] bursts is modelled on a
/// sample: every transfer shortened by the returned factor `f` (each sweep
/// over a region keeps its shape), and the sample's energy is `f` times
/// smaller than the layer's. The DRAM model's energy is linear in the
/// commands and the busy time, so scaling by `f` keeps the breakdown; only
/// row-buffer effects at the shortened boundaries differ.
pub fn region_commands(
    spec: &MemSpec,
    streams: &[RegionTraffic],
) -> Result<(Generated, u64), DramError> {
    let opts = GenOptions {
        cover_cycles: 0,
        pacing: Pacing::Greedy,
    };
    let burst = spec.burst_bytes().max(1);
    let count = sweep_count(streams);
    // As the sum over the listed transfers: whole sweeps, then the rest.
    let bursts: u64 = streams.iter().fold(0u64, |a, st| {
        let f = st.footprint.max(1);
        let whole = (st.total / f).saturating_mul(f.div_ceil(burst));
        a.saturating_add(whole.saturating_add((st.total % f).div_ceil(burst)))
    });
    let factor = bursts.div_ceil(MAX_EXACT_BURSTS).max(1);
    let sample: Vec<Transfer> = if count <= MAX_TRANSFERS {
        transfers(streams)
            .iter()
            .map(|r| Transfer {
                len: r.len.div_ceil(factor),
                ..*r
            })
            .collect()
    } else {
        // Too many sweeps to list: the sample keeps each stream's bytes over
        // `factor` in sweeps of at least one burst over its shortened
        // footprint, so it holds at most MAX_EXACT_BURSTS bursts and as
        // many transfers.
        let mut v = Vec::new();
        for st in streams {
            let f = st.footprint.max(1).div_ceil(factor).max(burst);
            sweeps(&mut v, st.write, st.base, f, st.total.div_ceil(factor));
        }
        v
    };
    Ok((generate_for(spec, &sample, &opts)?, factor))
}

/// Transfers the traffic is listed as before it is sampled by shortening
/// sweeps instead ([`region_commands`]).
pub const MAX_TRANSFERS: u64 = 1 << 20;

/// DRAM bursts a command stream simulates exactly; beyond this the stream
/// is sampled (see [`region_commands`]).
pub const MAX_EXACT_BURSTS: u64 = 1 << 21;

/// Energy per byte of a streaming read, for the mapping search's estimate.
pub fn pj_per_byte(spec: &MemSpec) -> f64 {
    const BYTES: u64 = 1 << 16;
    let g = generate_for(spec, &[Transfer::read(0, BYTES)], &GenOptions::default());
    match g {
        Ok(g) => super::energy(spec, &g.commands, g.end_cycle).total / BYTES as f64,
        Err(_) => 0.0,
    }
}

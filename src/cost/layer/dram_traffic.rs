//! The layer's DRAM traffic as region streams for the DRAM model: each
//! data type has its own address region (ifmap, filter, psum, ofmap, 1 GiB
//! apart) and its bytes are read or written in sweeps over the type's
//! footprint. Only this reading of [`LayerStats`] lives in the layer model;
//! the DRAM code it hands the streams to (transfers, sampling, commands,
//! energy) is all under `dram/` (`src/dram/region_traffic.rs`).

use serde::Serialize;

use super::geometry::Geometry;
use super::traffic::{Raw, OFMAP};
use super::{u, CostError, LayerStats};
use crate::dram::{self, memspec, DramError, Generated, MemSpec, RegionTraffic};
use crate::ir::Convs;
use crate::model::Arch;

pub use crate::dram::pj_per_byte;

/// Distinct bytes of each data type in DRAM (the region a sweep re-reads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Regions {
    pub ifmap: u64,
    pub filter: u64,
    pub psum: u64,
    pub ofmap: u64,
}

/// The regions of a layer's DRAM traffic `x`: every slice of ifmaps and
/// filters once, the psums that spill (one output's worth per segment
/// beyond the first), the outputs.
pub fn regions(geo: &Geometry, c: &Convs, x: &Raw, eb: u64) -> Result<Regions, CostError> {
    let groups = c.groups as u128;
    let eb = eb as u128;
    Ok(Regions {
        ifmap: u(
            groups * c.images as u128 * c.channels as u128 * geo.sum_strip_ifmap() * eb,
            "ifmap bytes",
        )?,
        filter: u(
            groups * c.filters as u128 * c.channels as u128 * geo.sum_strip_filter() * eb,
            "filter bytes",
        )?,
        psum: u(
            x.spilled * eb / x.segments.saturating_sub(1).max(1),
            "psum bytes",
        )?,
        ofmap: u(x.dram[OFMAP][1] * eb, "ofmap bytes")?,
    })
}

const REGION: u64 = 1 << 30;

/// The layer's streams, in the order the loop nest issues them by type.
fn streams(s: &LayerStats) -> [RegionTraffic; 5] {
    let d = &s.traffic.dram;
    let g = &s.dram_regions;
    let st = |write, base, footprint, total| RegionTraffic {
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

/// The layer's DRAM command stream and its sample factor (see
/// `dram::region_commands`).
pub fn commands(spec: &MemSpec, s: &LayerStats) -> Result<(Generated, u64), DramError> {
    dram::region_commands(spec, &streams(s))
}

pub fn spec(arch: &Arch) -> Result<MemSpec, DramError> {
    memspec(&arch.dram)
}

//! Exact integer traffic of a whole layer for one blocking: register-file,
//! inter-PE network, global-buffer and DRAM reads and writes per data type.
//! Counts are u128 while they are computed and checked into u64 at the end.
//!
//! Loop nest per group (outermost first): column strip, image block (n),
//! filter block (p·t), channel block (q·r), row fold. See
//! docs/layer-model.md, "Traffic".

use super::geometry::Geometry;
use crate::ir::layer_plan::{block_count, blocks, Convs};
use crate::ir::Mapping;
use crate::model::Arch;

pub const IFMAP: usize = 0;
pub const FILTER: usize = 1;
pub const PSUM: usize = 2;
pub const OFMAP: usize = 3;

/// Reads and writes (elements) of the four data types at one level.
pub type Level = [[u128; 2]; 4];

/// Everything the blocking decides, before the conversion to u64.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Raw {
    pub rf: Level,
    pub noc: Level,
    pub glb: Level,
    pub dram: Level,
    pub macs: u128,
    pub zero_macs: u128,
    pub adds: u128,
    /// Psum elements written to (and read back from) DRAM because the
    /// psum banks could not hold them.
    pub spilled: u128,
    /// Partial sums of one output that pass through the global buffer.
    pub segments: u128,
    pub convs: u128,
    /// Ifmap data kept for all channels (read from DRAM once) / filters kept
    /// for all images (read once).
    pub ifmaps_resident: bool,
    pub filters_resident: bool,
}

/// Whether the arch adds the r channel sets' psums inside the array for
/// this blocking: `psum_across_sets`, r > 1, and every filter block's r sets
/// stacked in one column of the array's grid of sets (rows of `piece.h`,
/// columns of `piece.w`), as the chip stacks CONV4-5's four 3 x 13 sets.
pub(super) fn adds_across_sets(geo: &Geometry, arch: &Arch, m: &Mapping) -> bool {
    let piece = geo.alloc.piece;
    let rows = arch.array.h / piece.h.max(1);
    let cols = arch.array.w / piece.w.max(1);
    let stacks_per_column = rows / m.r.max(1);
    arch.psum_across_sets
        && m.r > 1
        && stacks_per_column >= 1
        && m.t.div_ceil(stacks_per_column) <= cols
}

/// Sum over the blocks of a dimension of min(k, block size): the sets a
/// block actually occupies when `k` sets share it.
fn sets_used(d: u64, block: u64, k: u64) -> u128 {
    blocks(d, block)
        .iter()
        .map(|&(b, c)| b.min(k as u128) * c)
        .sum()
}

/// Psum contributions (elements) of one group that the psum banks of an
/// (image block, filter block) cannot hold, written to DRAM and read back:
/// each contribution but the last of every output beyond the banks.
fn spilled_per_group(geo: &Geometry, c: &Convs, arch: &Arch, m: &Mapping, segments: u128) -> u128 {
    let eb = arch.element_bytes().max(1) as u128;
    let cap_p = (m.psum_banks as u128 * arch.glb_bank as u128) / eb;
    let mut spilled = 0u128;
    if segments > 1 {
        for s in &geo.strips {
            for &(nb, kn) in &blocks(c.images, m.n) {
                for &(fb, kf) in &blocks(c.filters, m.p.saturating_mul(m.t)) {
                    let need = nb * fb * s.outputs as u128;
                    spilled += kn * kf * need.saturating_sub(cap_p) * (segments - 1);
                }
            }
        }
    }
    spilled
}

/// The psums (elements, all groups) blocking `m` would spill to DRAM.
pub fn spilled(geo: &Geometry, c: &Convs, arch: &Arch, m: &Mapping) -> u128 {
    spilled_per_group(geo, c, arch, m, psum_segments(geo, c, arch, m)) * c.groups as u128
}

/// Partial sums of one output that leave the array for the global buffer:
/// one per channel set (one per channel block when the sets add inside the
/// array) and row fold.
fn psum_segments(geo: &Geometry, c: &Convs, arch: &Arch, m: &Mapping) -> u128 {
    let leaving = if adds_across_sets(geo, arch, m) {
        block_count(c.channels, m.q.saturating_mul(m.r))
    } else {
        sets_used(c.channels, m.q.saturating_mul(m.r), m.r)
    };
    leaving * geo.alloc.row_folds as u128
}

pub fn traffic(geo: &Geometry, c: &Convs, arch: &Arch, m: &Mapping) -> Raw {
    let eb = arch.element_bytes().max(1) as u128;
    let bank = arch.glb_bank as u128;
    let (ni, nf, nc) = (c.images as u128, c.filters as u128, c.channels as u128);
    let nib = block_count(c.images, m.n);
    let nfb = block_count(c.filters, m.p.saturating_mul(m.t));
    // Sets occupied by the filter blocks (each receives its ifmaps once) and
    // psum contributions per output (one per channel set and row fold).
    let t_used = sets_used(c.filters, m.p.saturating_mul(m.t), m.t);
    let channel_sets = sets_used(c.channels, m.q.saturating_mul(m.r), m.r);
    // With the psums added set to set inside the array, a channel block's r
    // sets leave one contribution; the others are merged on the way up.
    let leaving = if adds_across_sets(geo, arch, m) {
        block_count(c.channels, m.q.saturating_mul(m.r))
    } else {
        channel_sets
    };
    let row_folds = geo.alloc.row_folds as u128;
    let segments = leaving * row_folds;
    let merges = (channel_sets - leaving) * row_folds;
    let pc = &geo.counters;
    let convs = c.per_group();
    let mut x = Raw {
        convs,
        segments,
        ..Raw::default()
    };

    // Ifmap side: to the array once per filter block (multicast to the t
    // sets); from DRAM once if all channels of the n images stay in the
    // ifmap banks, else once per filter block.
    let cap_i = m.ifmap_banks as u128 * bank;
    x.ifmaps_resident = m.n as u128 * nc * geo.max_strip_ifmap() as u128 * eb <= cap_i;
    let i_reps = if x.ifmaps_resident { 1 } else { nfb };
    let qr = m.q as u128 * m.r as u128;
    let i_dram = ni * nc * geo.dram_per_slice(false, m.n as u128 * qr, cap_i / eb) * i_reps;
    x.dram[IFMAP][0] = i_dram;
    x.glb[IFMAP] = [ni * nc * nfb * geo.sum_piece_ifmap(), i_dram];
    x.noc[IFMAP] = [
        x.glb[IFMAP][0],
        ni * nc * t_used * geo.ifmap_receives as u128,
    ];
    x.rf[IFMAP] = [
        pc.ifmap_reads as u128 * convs,
        geo.ifmap_rf_writes as u128 * ni * nc * t_used,
    ];

    // Filter side: to the array once per image block (each filter slice goes
    // to one set); from DRAM once if all filters fit the filter banks.
    let cap_f = arch.glb_filter_banks as u128 * bank;
    x.filters_resident = nf * nc * geo.max_strip_filter() as u128 * eb <= cap_f;
    let f_reps = if x.filters_resident { 1 } else { nib };
    let pt = m.p as u128 * m.t as u128;
    let f_dram = nf * nc * geo.dram_per_slice(true, pt * qr, cap_f / eb) * f_reps;
    x.dram[FILTER][0] = f_dram;
    x.glb[FILTER] = [nf * nc * nib * geo.sum_piece_filter(), f_dram];
    x.noc[FILTER] = [
        x.glb[FILTER][0],
        nf * nc * nib * geo.plan.filter_receives as u128,
    ];
    x.rf[FILTER] = [
        pc.filter_reads as u128 * convs,
        pc.filter_writes as u128 * nf * nc * nib,
    ];

    // Psums: every contribution but the last leaves the array for the
    // global buffer and comes back for the next one; what the psum banks of
    // an (image block, filter block) cannot hold goes to DRAM instead.
    let outs = ni * nf * geo.outputs();
    let trips = outs * segments.saturating_sub(1);
    let spilled = spilled_per_group(geo, c, arch, m, segments);
    x.spilled = spilled;
    x.dram[PSUM] = [spilled, spilled];
    x.glb[PSUM] = [trips - spilled, trips - spilled];
    // A merge is one psum hop from a set to the one above it.
    let hops = geo.plan.psum_hops as u128 * convs + outs * merges;
    x.noc[PSUM] = [hops + 2 * trips, hops + 2 * trips];
    x.rf[PSUM] = [
        pc.psum_reads as u128 * convs,
        pc.psum_writes as u128 * convs,
    ];

    // Final outputs: array -> GLB -> DRAM, once each.
    x.noc[OFMAP] = [outs, outs];
    x.glb[OFMAP] = [outs, outs];
    x.dram[OFMAP] = [0, outs];

    x.macs = pc.macs as u128 * convs;
    x.zero_macs = pc.zero_macs as u128 * convs;
    // A psum read back from the buffer, or merged from the set below, is
    // added to the next contribution.
    x.adds = pc.adds as u128 * convs + trips + outs * merges;

    let g = c.groups as u128;
    for lv in [&mut x.rf, &mut x.noc, &mut x.glb, &mut x.dram] {
        for t in lv.iter_mut() {
            t[0] *= g;
            t[1] *= g;
        }
    }
    x.macs *= g;
    x.zero_macs *= g;
    x.adds *= g;
    x.spilled *= g;
    x.convs *= g;
    x
}

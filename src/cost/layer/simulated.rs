//! The bridge between the estimate's terms and the simulation's counts:
//! the layer's traffic on the estimate's levels, taken from the simulated
//! passes where the simulation counts them.

use super::traffic::{Raw, FILTER, IFMAP, OFMAP, PSUM};
use crate::sim::LayerSimulation;

/// The layer's traffic and operations as the simulation counted them, on
/// the estimate's levels: scratchpads, networks and global-buffer reads
/// and writes toward the array from the simulated passes; what the global
/// buffer exchanges with DRAM (and the psums that spill there) from the
/// estimate, which models the DRAM side.
pub fn raw(est: &Raw, s: &LayerSimulation) -> Raw {
    let w = |v: u64| v as u128;
    let mut x = est.clone();
    x.rf[IFMAP] = [w(s.rf.ifmap_reads), w(s.rf.ifmap_writes)];
    x.rf[FILTER] = [w(s.rf.filter_reads), w(s.rf.filter_writes)];
    x.rf[PSUM] = [w(s.rf.psum_reads), w(s.rf.psum_writes)];
    x.rf[OFMAP] = [0, 0];
    x.noc[IFMAP] = [w(s.glb_ifmap_reads), w(s.ifmap_arrivals)];
    x.noc[FILTER] = [w(s.glb_filter_reads), w(s.filter_arrivals)];
    // A psum moves up a column (one hop), to the buffer, or back from it.
    let psum_moves = w(s.psum_hops + s.glb_psum_writes + s.glb_psum_reads);
    x.noc[PSUM] = [psum_moves, psum_moves];
    x.noc[OFMAP] = [w(s.glb_ofmap_writes), w(s.glb_ofmap_writes)];
    x.glb[IFMAP][0] = w(s.glb_ifmap_reads);
    x.glb[FILTER][0] = w(s.glb_filter_reads);
    let spilled = est.spilled;
    x.glb[PSUM] = [
        w(s.glb_psum_reads).saturating_sub(spilled),
        w(s.glb_psum_writes).saturating_sub(spilled),
    ];
    x.glb[OFMAP][1] = w(s.glb_ofmap_writes);
    x.macs = w(s.macs);
    x.zero_macs = w(s.zero_macs);
    x.adds = w(s.adds);
    x
}

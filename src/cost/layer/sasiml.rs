//! The original simulator's whole-layer cycle figures (SASiML
//! `hw/array.py`, `calc_total`; shared/docs/sasiml/hardware.md §7.3),
//! computed as it computes them from cnnc's simulation of one 2-D
//! convolution on the logical PE set, so a figure of the original can be
//! held beside cnnc's own: the set is replicated over the array in
//! fractional copies (`pe_sets = (array_w / set_w) · (array_h / set_h)`),
//! with unbounded scratchpads and no folding or memory cost.

use crate::ir::Convs;
use crate::sim::PassOutcome;

/// The inputs of the original's formulas, from one simulated convolution.
struct Inputs {
    /// `cycles_pipefull`: the simulated convolution's busy cycles.
    fullpipe: f64,
    /// `num_conv`: the pass's 2-D convolutions (C·M·N, per group summed).
    num_conv: f64,
    /// `num_pe_sets`, real-valued.
    pe_sets: f64,
}

fn inputs(o: &PassOutcome) -> Option<Inputs> {
    let m = &o.module;
    let set = m.set.as_ref()?;
    let (w, h) = (set.cols as f64, set.rows as f64);
    let (x, y) = (m.arch.array.w as f64, m.arch.array.h as f64);
    Some(Inputs {
        fullpipe: o.stats.busy_cycles as f64,
        num_conv: Convs::of(&m.layer, m.pass).total() as f64,
        // The original's order of operations (`X / W`, `Y / H`, product).
        pe_sets: (x / w) * (y / h),
    })
}

/// `acc_cycles_ideal = (cycles_pipefull · num_conv) / pe_sets`; 0 without
/// a logical set.
pub fn layer_cycles(o: &PassOutcome) -> f64 {
    inputs(o).map_or(0.0, |i| ideal(i.fullpipe, i.num_conv, i.pe_sets))
}

fn ideal(fullpipe: f64, num_conv: f64, pe_sets: f64) -> f64 {
    (fullpipe * num_conv) / pe_sets
}

/// `acc_cycles_acc`: each convolution at least as long as its global-buffer
/// traffic at the arch's network widths (the original's `-bw_*`; its
/// reference runs used unbounded ones, where this equals
/// [`layer_cycles`]), times `num_conv / pe_sets`. The traffic is what the
/// simulated convolution sends and writes (the original counted 0 sends,
/// its data preloaded).
pub fn layer_cycles_acc(o: &PassOutcome) -> f64 {
    let Some(i) = inputs(o) else {
        return 0.0;
    };
    let m = &o.module;
    let a = &m.arch;
    let plan = m.plan.as_ref();
    let batch = m.layer.batch as f64;
    let bound = |elements: f64, per: f64, bw: u64| {
        (elements * per * i.pe_sets / bw.max(1) as f64).max(i.fullpipe)
    };
    let ifm = bound(plan.map_or(0, |p| p.ifmap_sends) as f64, batch, a.noc_ifmap);
    let ofm = bound(o.stats.glb_writes as f64, batch, a.noc_ofmap);
    let fil = bound(plan.map_or(0, |p| p.filter_sends) as f64, 1.0, a.noc_filter);
    let conv = ifm.max(ofm).max(fil).max(i.fullpipe);
    conv * i.num_conv / i.pe_sets
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_originals_golden_vector() {
        // hardware.md Appendix A: fullpipe 11, C·M·N = 4·2·1, a 3 x 3 set on
        // `-x 14 -y 12`: acc_cycles_ideal;4.714285714285714.
        let s = (14.0 / 3.0) * (12.0 / 3.0);
        assert_eq!(super::ideal(11.0, 8.0, s), 4.714285714285714);
    }
}

//! The original simulator's `key;value` summary (hardware.md §11.2): its
//! keys carry the original's own figures (its per-convolution counts from
//! cnnc's simulation of the same convolution, and its whole-layer cycle
//! formulas, `sasiml.rs`); cnnc's whole-layer figures follow under `cnnc_`
//! keys, so a script written for the original reads the original's
//! numbers under its names. Key-by-key definitions: docs/layer-model.md,
//! "Summary keys".

use std::fmt::Write;

use super::LayerStats;
use crate::sim::PassOutcome;

pub fn summary(o: &PassOutcome, s: &LayerStats) -> String {
    let m = &o.module;
    let a = &m.arch;
    let st = &o.stats;
    let t = &s.traffic;
    let e = &s.energy_pj;
    let (ph, pw) = m
        .set
        .as_ref()
        .map(|x| (x.rows as u64, x.cols as u64))
        .unwrap_or((0, 0));
    let spad = |x: &super::Access| x.reads + x.writes;
    let rf = [spad(&t.rf.ifmap), spad(&t.rf.filter), spad(&t.rf.psum)];
    let link = t.noc.elements();
    let per = |e: f64, n: u64| if n > 0 { e / n as f64 } else { 0.0 };
    let glb_b = |x: &super::Access| x.read_bytes + x.write_bytes;
    let plan = m.plan.as_ref();
    let bank = a.glb_bank;
    let rows: Vec<(&str, String)> = vec![
        ("name", a.name.clone()),
        (
            "ifm_elements",
            plan.map_or(0, |p| p.ifmap_sends).to_string(),
        ),
        ("ofm_elements", st.glb_writes.to_string()),
        (
            "filter_elements",
            plan.map_or(0, |p| p.filter_sends).to_string(),
        ),
        ("num_channels", m.layer.channels.to_string()),
        ("num_filters", m.layer.filters.to_string()),
        ("pe_total", (ph * pw).to_string()),
        ("pe_w", pw.to_string()),
        ("pe_h", ph.to_string()),
        (
            "cycles_buf2arr",
            plan.map_or(0, |p| p.ifmap_cycles.max(p.filter_cycles))
                .to_string(),
        ),
        ("cycles_arr2buf", st.glb_write_span.to_string()),
        ("cycles_total", st.cycles.to_string()),
        ("cycles_pipefull", st.busy_cycles.to_string()),
        ("mul_total", st.macs.to_string()),
        ("mul_zero", st.zero_macs.to_string()),
        // The original's acc_w / acc_h are its logical set (§11.2).
        ("acc_w", pw.to_string()),
        ("acc_h", ph.to_string()),
        ("acc_clock", (a.clock_hz / 1_000_000).to_string()),
        ("acc_bw_ifm_acc", a.noc_ifmap.to_string()),
        ("acc_bw_ofm_acc", a.noc_ofmap.to_string()),
        ("acc_bw_filter_acc", a.noc_filter.to_string()),
        (
            "acc_cycles_ideal",
            super::sasiml::layer_cycles(o).to_string(),
        ),
        (
            "acc_cycles_acc",
            super::sasiml::layer_cycles_acc(o).to_string(),
        ),
        ("size_spad_filter", a.rf_filter.to_string()),
        ("size_spad_ifm", a.rf_ifmap.to_string()),
        ("size_spad_psum", a.rf_psum.to_string()),
        // cnnc's whole layer on the physical array, under its own names:
        // the original's memory model (its buffer split, blocking search,
        // GB/DRAM traffic and energy, hardware.md §8-§9) is not
        // reimplemented, so its keys are not written.
        ("cnnc_array_w", a.array.w.to_string()),
        ("cnnc_array_h", a.array.h.to_string()),
        ("cnnc_cycles", s.cycles.to_string()),
        ("cnnc_cycles_from", s.cycles_from.to_string()),
        ("cnnc_compute_cycles", s.estimate.compute_cycles.to_string()),
        ("cnnc_ideal_cycles", s.ideal_cycles.to_string()),
        ("cnnc_bound_by", s.bound_by.to_string()),
        ("cnnc_utilisation", s.utilisation.to_string()),
        (
            "cnnc_size_gb_filter",
            (a.glb_filter_banks * bank).to_string(),
        ),
        (
            "cnnc_size_gb_ifm",
            (s.mapping.ifmap_banks * bank).to_string(),
        ),
        (
            "cnnc_size_gb_psum",
            (s.mapping.psum_banks * bank).to_string(),
        ),
        ("cnnc_df_n", s.mapping.n.to_string()),
        ("cnnc_df_p", s.mapping.p.to_string()),
        ("cnnc_df_q", s.mapping.q.to_string()),
        ("cnnc_df_r", s.mapping.r.to_string()),
        ("cnnc_df_t", s.mapping.t.to_string()),
        ("cnnc_df_e", s.mapping.e.to_string()),
        (
            "cnnc_accesses_spad_total",
            (rf.iter().sum::<u64>() + link).to_string(),
        ),
        ("cnnc_accesses_spad_ifm", rf[0].to_string()),
        ("cnnc_accesses_spad_fil", rf[1].to_string()),
        ("cnnc_accesses_spad_psum", rf[2].to_string()),
        ("cnnc_accesses_spad_link", link.to_string()),
        ("cnnc_accesses_gb_total", t.glb.bytes().to_string()),
        ("cnnc_accesses_gb_ifm", glb_b(&t.glb.ifmap).to_string()),
        ("cnnc_accesses_gb_fil", glb_b(&t.glb.filter).to_string()),
        (
            "cnnc_accesses_gb_psum",
            (glb_b(&t.glb.psum) + glb_b(&t.glb.ofmap)).to_string(),
        ),
        ("cnnc_accesses_dram_total", t.dram.bytes().to_string()),
        ("cnnc_accesses_dram_ifm", glb_b(&t.dram.ifmap).to_string()),
        ("cnnc_accesses_dram_fil", glb_b(&t.dram.filter).to_string()),
        (
            "cnnc_accesses_dram_psum",
            (glb_b(&t.dram.psum) + glb_b(&t.dram.ofmap)).to_string(),
        ),
        ("cnnc_total_energy", e.total.to_string()),
        (
            "cnnc_total_energy_array",
            (e.rf + e.noc + e.mac).to_string(),
        ),
        ("cnnc_total_energy_gb", e.glb.to_string()),
        ("cnnc_total_energy_dram", e.dram.to_string()),
        ("cnnc_total_energy_spad", e.rf.to_string()),
        ("cnnc_total_energy_noc", e.noc.to_string()),
        (
            "cnnc_total_energy_mul",
            (a.energy_mul * s.charged_macs as f64).to_string(),
        ),
        (
            "cnnc_total_energy_sum",
            (a.energy_add * s.adds as f64).to_string(),
        ),
        (
            "cnnc_energy_per_byte_spad",
            per(e.rf, rf.iter().sum()).to_string(),
        ),
        ("cnnc_energy_per_byte_noc", per(e.noc, link).to_string()),
        (
            "cnnc_energy_per_byte_gb",
            per(e.glb, t.glb.bytes()).to_string(),
        ),
        (
            "cnnc_energy_per_byte_dram",
            per(e.dram, t.dram.bytes()).to_string(),
        ),
    ];
    let mut out = String::new();
    for (k, v) in rows {
        let _ = writeln!(out, "{k};{v}");
    }
    out
}

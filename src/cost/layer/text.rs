//! The readable `layer_stats` block.

use std::fmt::Write;

use super::LayerStats;

pub fn layer_text(s: &LayerStats) -> String {
    let mut o = String::new();
    let e = &s.energy_pj;
    let _ = writeln!(o, "layer_stats (whole layer on the physical array):");
    let _ = writeln!(
        o,
        "  layer {} on {}, pass {}, dataflow {}",
        s.layer,
        s.arch,
        format!("{:?}", s.pass).to_lowercase(),
        crate::options::dataflow_name(s.dataflow)
    );
    let _ = writeln!(
        o,
        "  convs_2d {} (accumulated_over {}), physical_passes {}",
        s.convs_2d, s.accumulated_over, s.physical_passes
    );
    let _ = writeln!(o, "  mapping {}", s.mapping_text());
    let st = &s.stall_cycles;
    let x = &s.estimate;
    // Every figure says where it comes from (`cycles_from`), and the labels
    // are the field names of docs/stats.md.
    match &s.simulation {
        Some(sim) => {
            let _ = writeln!(
                o,
                "  cycles {} (cycles_from simulation: processing_passes {}, distinct_passes {} simulated, verify {}), time_us {:.3}",
                s.cycles, sim.processing_passes, sim.distinct_passes, sim.mode, s.time_us
            );
            let _ = writeln!(
                o,
                "    stall_cycles: pass_start {}, networks {}, drain {}, glb_bank {}, dram {}",
                st.pass_start, st.networks, st.drain, st.glb_bank, st.dram
            );
        }
        None => {
            // A layer-pass summed from simulated layers (`rs-split`'s
            // phases) is simulated without one simulation of its own.
            let _ = writeln!(
                o,
                "  cycles {} (cycles_from {}), time_us {:.3}",
                s.cycles, s.cycles_from, s.time_us
            );
            if s.cycles_from == "simulation" {
                let _ = writeln!(
                    o,
                    "    stall_cycles: pass_start {}, networks {}, drain {}, glb_bank {}, dram {}",
                    st.pass_start, st.networks, st.drain, st.glb_bank, st.dram
                );
            }
            if let Some(why) = &s.simulation_skipped {
                let _ = writeln!(o, "    simulation_skipped: {why}");
            }
        }
    }
    let _ = writeln!(
        o,
        "  estimate: cycles {} (the longest of compute_cycles {}, collect_cycles {}, load_cycles {}, psum_return_cycles {}, dram_link_cycles {}){}",
        x.cycles,
        x.compute_cycles,
        x.collect_cycles,
        x.load_cycles,
        x.psum_return_cycles,
        x.dram_link_cycles,
        match x.cycles_ratio {
            Some(r) => format!(", cycles_ratio {r:.3} (simulated / estimated array_cycles)"),
            None => String::new(),
        }
    );
    let _ = writeln!(
        o,
        "  macs {} (zero_macs {}, necessary_macs {}, charged_macs {}), active_pes {} of {}, utilisation {:.4}",
        s.macs,
        s.zero_macs,
        s.necessary_macs,
        s.charged_macs,
        s.active_pes,
        s.array_pes,
        s.utilisation
    );
    let b = &s.ideal;
    let _ = writeln!(
        o,
        "  ideal_cycles {} (bound_by {}; compute_cycles {}, dram_cycles {}, ifmap_network_cycles {}, filter_network_cycles {}, ofmap_network_cycles {}), cycles / ideal_cycles {:.3}",
        s.ideal_cycles,
        s.bound_by,
        b.compute_cycles,
        b.dram_cycles,
        b.ifmap_network_cycles,
        b.filter_network_cycles,
        b.ofmap_network_cycles,
        s.cycles as f64 / s.ideal_cycles.max(1) as f64
    );
    let _ = writeln!(o, "  verified {} ({})", s.verified, verified_what(s));
    let _ = writeln!(o, "  traffic (elements read / written):");
    let t = &s.traffic;
    for (name, lv) in [
        ("rf", &t.rf),
        ("noc", &t.noc),
        ("glb", &t.glb),
        ("dram", &t.dram),
    ] {
        let cells: Vec<String> = lv
            .all()
            .iter()
            .map(|(k, a)| format!("{k} {}/{}", a.reads, a.writes))
            .collect();
        let _ = writeln!(
            o,
            "    {name:<5} {}  ({} bytes)",
            cells.join(", "),
            lv.bytes()
        );
    }
    let _ = writeln!(
        o,
        "  psum_spill_elements {} (psum_spill_bytes {})",
        s.psum_spill_elements, s.psum_spill_bytes
    );
    let _ = writeln!(
        o,
        "  energy_pj: rf {:.1}, noc {:.1}, mac {:.1}, glb {:.1}, dram {:.1}, static_power {:.1}, total {:.1}",
        e.rf, e.noc, e.mac, e.glb, e.dram, e.static_power, e.total
    );
    let b = &e.by_type;
    let _ = writeln!(
        o,
        "  energy_pj.by_type: ifmap {:.1}, filter {:.1}, psum {:.1}, ofmap {:.1}, compute {:.1}, dram_static {:.1}, chip_static {:.1}",
        b.ifmap.total, b.filter.total, b.psum.total, b.ofmap.total, b.compute, b.dram_static, b.chip_static
    );
    let d = &s.dram_energy;
    let _ = writeln!(
        o,
        "  dram ({}) pJ: act {:.1}, pre {:.1}, rd {:.1}, wr {:.1}, refresh {:.1}, background {:.1}, powerdown {:.1} over {:.0} ns idle, total {:.1}, avg {:.2} mW",
        s.memspec, d.act, d.pre, d.rd, d.wr, d.refresh, d.background, d.powerdown, d.idle_ns, d.total, d.avg_power_mw
    );
    if s.dram_sample_factor > 1 {
        let _ = writeln!(
            o,
            "  dram energy from a sample of 1 in {} bytes of the DRAM traffic, scaled up",
            s.dram_sample_factor
        );
    }
    o
}

/// What `verified` covers. In `--verify sample` the sampled 2-D convolution
/// and each distinct processing pass are checked separately, so their
/// output counts are given apart: their sum is not a count of the layer's
/// outputs (an output can be checked twice).
fn verified_what(s: &LayerStats) -> String {
    match (&s.simulation, s.verify) {
        (_, "full") => format!(
            "--verify full: verified_outputs {}, every output of the layer; convs_simulated {}",
            s.verified_outputs, s.convs_simulated
        ),
        (Some(sim), _) => format!(
            "--verify sample: {} outputs of the sampled 2-D convolution and {} outputs of {} simulated processing passes checked; convs_simulated {}",
            s.verified_outputs.saturating_sub(sim.verified_outputs),
            sim.verified_outputs,
            sim.passes_simulated,
            s.convs_simulated
        ),
        (None, _) => format!(
            "--verify sample: {} outputs of the sampled 2-D convolution checked; convs_simulated {}",
            s.verified_outputs, s.convs_simulated
        ),
    }
}

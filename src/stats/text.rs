//! Text rendering of the statistics.

use std::fmt::Write;

use super::{PassStats, PeRow};

pub fn pass_text(p: &PassStats) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "pass_stats (one 2-D convolution on its logical PE set):");
    let rows: [(&str, String); 13] = [
        ("cycles", p.cycles.to_string()),
        ("busy_cycles", p.busy_cycles.to_string()),
        ("macs", p.macs.to_string()),
        ("zero_macs", p.zero_macs.to_string()),
        ("verified", p.verified.to_string()),
        ("control_cycles", p.control_cycles.to_string()),
        ("drain_steps", p.drain_steps.to_string()),
        ("glb_write_span", p.glb_write_span.to_string()),
        ("glb_writes", p.glb_writes.to_string()),
        ("psum_hops", p.psum_hops.to_string()),
        ("utilisation", format!("{:.4}", p.utilisation)),
        ("mac_slot_use", format!("{:.4}", p.mac_slot_use)),
        ("zero_gated", p.zero_gated.to_string()),
    ];
    for (k, v) in rows {
        let _ = writeln!(s, "  {k:<16} {v}");
    }
    for m in &p.mismatches {
        let _ = writeln!(
            s,
            "  MISMATCH at ({}, {}): expected {}, got {}",
            m.row,
            m.col,
            m.expected,
            m.actual.map_or("nothing".to_string(), |v| v.to_string())
        );
    }
    s
}

pub fn pe_table(rows: &[PeRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:>7} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>5} {:>6}",
        "pe",
        "macs",
        "zero",
        "ifm_rd",
        "ifm_wr",
        "fil_rd",
        "fil_wr",
        "psum_rd",
        "psum_wr",
        "q_in",
        "q_out",
        "busy",
        "util"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{:>7} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>5} {:>6.3}",
            format!("({},{})", r.x, r.y),
            r.n.macs,
            r.n.zero_macs,
            r.n.ifmap_reads,
            r.n.ifmap_writes,
            r.n.filter_reads,
            r.n.filter_writes,
            r.n.psum_reads,
            r.n.psum_writes,
            r.n.in_psum_puts + r.n.in_psum_gets,
            r.n.out_psum_puts + r.n.out_psum_gets,
            r.busy_span,
            r.utilisation
        );
    }
    s
}

//! Human-readable and JSON renderings of a [`DramEnergy`].

use super::memspec::MemSpec;
use super::power::DramEnergy;

/// pJ with a unit chosen for readability (pJ, nJ, uJ or mJ).
pub fn format_energy(pj: f64) -> String {
    let a = pj.abs();
    if a >= 1e9 {
        format!("{:.3} mJ", pj / 1e9)
    } else if a >= 1e6 {
        format!("{:.3} uJ", pj / 1e6)
    } else if a >= 1e3 {
        format!("{:.3} nJ", pj / 1e3)
    } else {
        format!("{pj:.2} pJ")
    }
}

pub fn text(spec: &MemSpec, e: &DramEnergy) -> String {
    let rows = [
        ("ACT", e.act, e.acts),
        ("PRE", e.pre, e.pres),
        ("RD", e.rd, e.reads),
        ("WR", e.wr, e.writes),
        ("refresh", e.refresh, e.refs),
    ];
    let mut s = format!(
        "DRAM energy ({}, {} device(s), {}-bit rank)\n",
        spec.id,
        e.devices,
        spec.rank_width_bits()
    );
    for (name, pj, n) in rows {
        s += &format!("  {name:<11}{:>16}  ({n} commands)\n", format_energy(pj));
    }
    s += &format!(
        "  {:<11}{:>16}  ({} active + {} precharged cycles)\n",
        "background",
        format_energy(e.background),
        e.active_cycles,
        e.precharged_cycles
    );
    s += &format!(
        "  {:<11}{:>16}  ({:.2} pJ)\n",
        "total",
        format_energy(e.total),
        e.total
    );
    s += &format!("  average power  {:.2} mW\n", e.avg_power_mw);
    s += &format!(
        "  duration       {:.2} ns ({} cycles of {:.4} ns)\n",
        e.duration_ns, e.cycles, spec.timing.tck_ns
    );
    s
}

pub fn json(e: &DramEnergy) -> String {
    // Serialising plain numbers and strings cannot fail; keep a fallback
    // anyway so this never panics.
    serde_json::to_string_pretty(e).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}")) + "\n"
}

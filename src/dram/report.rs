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

/// Per device (as DRAMPower reports: one part) and for the whole rank
/// (the per-device figures times the devices of the rank).
pub fn text(spec: &MemSpec, e: &DramEnergy) -> String {
    let d = f64::from(e.devices.max(1));
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
    s += &format!(
        "  {:<11}{:>16}{:>16}\n",
        "",
        "per device",
        format!("rank (x{})", e.devices)
    );
    for (name, pj, n) in rows {
        s += &format!(
            "  {name:<11}{:>16}{:>16}  ({n} commands)\n",
            format_energy(pj / d),
            format_energy(pj)
        );
    }
    s += &format!(
        "  {:<11}{:>16}{:>16}  ({} active + {} precharged cycles)\n",
        "background",
        format_energy(e.background / d),
        format_energy(e.background),
        e.active_cycles,
        e.precharged_cycles
    );
    s += &format!(
        "  {:<11}{:>16}{:>16}  ({:.2} pJ per device, {:.2} pJ per rank)\n",
        "total",
        format_energy(e.total / d),
        format_energy(e.total),
        e.total / d,
        e.total
    );
    s += &format!(
        "  average power  {:.2} mW per device, {:.2} mW per rank\n",
        e.avg_power_mw / d,
        e.avg_power_mw
    );
    s += &format!(
        "  duration       {:.2} ns ({} cycles of {:.4} ns)\n",
        e.duration_ns, e.cycles, spec.timing.tck_ns
    );
    s
}

/// The rank's figures at the top level (as before), and `per_device`.
pub fn json(e: &DramEnergy) -> String {
    let d = f64::from(e.devices.max(1));
    let mut v = serde_json::to_value(e).unwrap_or_default();
    v["per_device"] = serde_json::json!({
        "act": e.act / d,
        "pre": e.pre / d,
        "rd": e.rd / d,
        "wr": e.wr / d,
        "refresh": e.refresh / d,
        "background": e.background / d,
        "total": e.total / d,
        "avg_power_mw": e.avg_power_mw / d,
    });
    v["per_rank"] = serde_json::json!({
        "act": e.act,
        "pre": e.pre,
        "rd": e.rd,
        "wr": e.wr,
        "refresh": e.refresh,
        "background": e.background,
        "total": e.total,
        "avg_power_mw": e.avg_power_mw,
    });
    v[crate::schema::KEY] = crate::schema::SCHEMA_VERSION.into();
    // Serialising plain numbers and strings cannot fail; keep a fallback
    // anyway so this never panics.
    serde_json::to_string_pretty(&v).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}")) + "\n"
}

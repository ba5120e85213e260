//! The DRAM device models an arch's `dram` key may name: the memspecs built
//! into cnnc, or a DRAMPower JSON file. Kept in the model so the checker can
//! refuse an unknown name without reaching up into the cost model.

/// Memspecs shipped with cnnc (`memspecs/`).
pub const BUILTIN_MEMSPECS: &[&str] = &["ddr4-1866", "ddr4-2400", "lpddr4-3200"];

/// A built-in memspec name (any case) or a path to a `.json` file.
pub fn is_memspec_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    BUILTIN_MEMSPECS.contains(&lower.as_str()) || lower.ends_with(".json")
}

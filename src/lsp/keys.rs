//! What each key of the language means and which unit it takes, as
//! docs/language.md section 2 tables them; completion and hover show it. A
//! test holds this table to the checker's key lists.

pub struct KeyDoc {
    pub key: &'static str,
    /// The kind of value and its units, e.g. "frequency: Hz, kHz, MHz, GHz".
    pub unit: &'static str,
    pub meaning: &'static str,
}

const fn k(key: &'static str, unit: &'static str, meaning: &'static str) -> KeyDoc {
    KeyDoc { key, unit, meaning }
}

const COUNT: &str = "integer (no unit)";
const ENERGY: &str = "energy: pJ, nJ";

pub const ARCH: &[KeyDoc] = &[
    k(
        "array",
        "shape `rows x columns` (no unit)",
        "PE rows x columns",
    ),
    k("rf.ifmap", COUNT, "ifmap register-file entries per PE"),
    k("rf.filter", COUNT, "filter register-file entries per PE"),
    k("rf.psum", COUNT, "psum register-file entries per PE"),
    k(
        "glb.bank",
        "size: B, KiB, MiB",
        "bytes per global-buffer bank",
    ),
    k(
        "glb.banks",
        COUNT,
        "global-buffer banks shared by ifmaps and psums",
    ),
    k("glb.filter_banks", COUNT, "global-buffer banks for filters"),
    k(
        "glb.width",
        "width: bit",
        "bits a global-buffer bank reads or writes per cycle",
    ),
    k("precision", "width: bit", "bits per data element, 1 to 64"),
    k(
        "clock",
        "frequency: Hz, kHz, MHz, GHz",
        "core clock, a whole number of Hz",
    ),
    k("pipeline.mul", "integer, cycles", "multiplier latency"),
    k(
        "pipeline.add",
        "integer, cycles",
        "adder latency (Grad-Flow needs 1)",
    ),
    k("fifo.depth", COUNT, "entries of each PE input/output queue"),
    k(
        "noc.ifmap",
        "integer, elements per cycle",
        "GLB -> array ifmap bandwidth",
    ),
    k(
        "noc.filter",
        "integer, elements per cycle",
        "GLB -> array filter bandwidth",
    ),
    k(
        "noc.ofmap",
        "integer, elements per cycle",
        "array -> GLB ofmap bandwidth",
    ),
    k(
        "noc.psum",
        "integer, psums per cycle",
        "GLB -> array psum read-back bandwidth, on its own network",
    ),
    k(
        "zero_gating",
        "`on` or `off`",
        "multiplications by zero cost no MAC energy",
    ),
    k(
        "psum_across_sets",
        "`on` or `off`",
        "the psums of the r channel sets are added inside the array, not through the GLB",
    ),
    k(
        "psum_spill",
        "`on` or `off`",
        "psums may go to DRAM between passes; off refuses blockings that spill",
    ),
    k(
        "search.rf",
        "integer, relative cost",
        "the mapping search's price of a scratchpad access",
    ),
    k(
        "search.noc",
        "integer, relative cost",
        "the mapping search's price of a network access",
    ),
    k(
        "search.glb",
        "integer, relative cost",
        "the mapping search's price of a global-buffer element access",
    ),
    k(
        "search.dram",
        "integer, relative cost",
        "the mapping search's price of a DRAM element access",
    ),
    k(
        "search.mac",
        "integer, relative cost",
        "the mapping search's price of a MAC",
    ),
    k("energy.rf", ENERGY, "per register-file access"),
    k("energy.noc", ENERGY, "per PE queue put or get"),
    k("energy.mul", ENERGY, "per multiplication"),
    k("energy.add", ENERGY, "per addition"),
    k(
        "energy.glb",
        ENERGY,
        "per byte moved to or from the global buffer",
    ),
    k(
        "power.static",
        "power: uW, mW, W",
        "static power charged over a layer's cycles",
    ),
    k(
        "dram",
        "string",
        "DRAM device model (a memspec shipped with cnnc)",
    ),
    k(
        "dram.width",
        "width: bit",
        "bits per transfer on the chip's DRAM link",
    ),
    k(
        "dram.clock",
        "frequency: Hz, kHz, MHz, GHz",
        "transfers per second on the DRAM link",
    ),
];

pub const LAYER: &[KeyDoc] = &[
    k(
        "ifmap",
        "shape `h x w` or `n` (no unit)",
        "H x W of one input feature map, before padding",
    ),
    k("channels", COUNT, "C, input channels (default 1)"),
    k(
        "filter",
        "shape `h x w` or `n` (no unit)",
        "R x S, the filter size",
    ),
    k("filters", COUNT, "M, output channels (default 1)"),
    k(
        "stride",
        "shape `h x w` or `n` (no unit)",
        "stride per axis (default 1)",
    ),
    k(
        "pad",
        "shape `h x w` or `n` (no unit)",
        "zero rows/columns added on each side (default 0)",
    ),
    k("batch", COUNT, "N, images (default 1)"),
    k(
        "groups",
        COUNT,
        "must divide channels and filters (default 1)",
    ),
    k(
        "ofmap",
        "shape `h x w` or `n` (no unit)",
        "optional; checked against the computed size",
    ),
    k(
        "dilation",
        "shape `h x w` or `n` (no unit)",
        "spacing of the filter taps, as in PyTorch's Conv2d (default 1)",
    ),
    k(
        "transposed",
        "`true` or `false`",
        "a transposed convolution, as PyTorch's ConvTranspose2d",
    ),
    k(
        "output_pad",
        "shape `h x w` or `n` (no unit)",
        "extra output rows/columns of a transposed layer (default 0)",
    ),
];

pub const MAPPING: &[KeyDoc] = &[
    k("n", COUNT, "images per processing pass"),
    k("p", COUNT, "filters interleaved per PE"),
    k("q", COUNT, "channels interleaved per PE"),
    k("r", COUNT, "PE sets working on different channels"),
    k("t", COUNT, "PE sets working on different filters"),
    k("e", COUNT, "strip width: PE-set columns per piece"),
    k(
        "ifmap_banks",
        COUNT,
        "global-buffer banks given to ifmaps (the rest hold psums)",
    ),
];

pub fn find(table: &'static [KeyDoc], key: &str) -> Option<&'static KeyDoc> {
    table.iter().find(|d| d.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{ARCH_KEYS, LAYER_KEYS, MAPPING_KEYS};

    fn keys(t: &[KeyDoc]) -> Vec<&str> {
        t.iter().map(|d| d.key).collect()
    }

    #[test]
    fn tables_list_exactly_the_checkers_keys() {
        assert_eq!(keys(ARCH), ARCH_KEYS);
        assert_eq!(keys(LAYER), LAYER_KEYS);
        assert_eq!(keys(MAPPING), MAPPING_KEYS);
    }
}

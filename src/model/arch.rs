use super::{Hw, SrcSpan};

/// A checked accelerator description. Energies are picojoules; `energy_glb`
/// is per byte, the others per access or operation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Arch {
    pub name: String,
    pub span: SrcSpan,
    /// PE rows x PE columns.
    pub array: Hw,
    pub rf_ifmap: u64,
    pub rf_filter: u64,
    pub rf_psum: u64,
    /// Bytes per global-buffer bank.
    pub glb_bank: u64,
    /// Banks shared by ifmaps and psums.
    pub glb_banks: u64,
    pub glb_filter_banks: u64,
    /// Bits a bank reads or writes in one access (one access per cycle).
    pub glb_width_bits: u64,
    /// Bits per data element.
    pub precision: u64,
    /// Core clock in Hz.
    pub clock_hz: u64,
    pub pipeline_mul: u64,
    pub pipeline_add: u64,
    pub fifo_depth: u64,
    pub noc_ifmap: u64,
    pub noc_filter: u64,
    pub noc_ofmap: u64,
    /// Psums read back from the global buffer into the array per cycle, on
    /// their own network (the chip's psum GIN).
    pub noc_psum: u64,
    pub zero_gating: bool,
    /// The psums of the channel sets working at once (the mapping's r) are
    /// added set to set inside the array, up a column of stacked sets,
    /// instead of through the global buffer (JSSC 2017: "the psums from the
    /// top and bottom two sets are accumulated together").
    pub psum_across_sets: bool,
    /// Psums may go to DRAM between passes when the psum banks cannot hold
    /// them (`psum_spill = on`). Off, a blocking that would spill is
    /// refused, as the chip's psums "do not go off-chip until the final
    /// ofmap values are obtained" (JSSC 2017).
    pub psum_spill: bool,
    /// The mapping search's own prices of an access (`search.*`), when the
    /// arch's mapper ranked its choices by a published relative cost model
    /// rather than by cnnc's energy model; reports keep cnnc's model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_prices: Option<SearchPrices>,
    pub energy_rf: f64,
    pub energy_noc: f64,
    pub energy_mul: f64,
    pub energy_add: f64,
    pub energy_glb: f64,
    /// Static power of the chip (leakage, clock network) in microwatts,
    /// charged over a layer's cycles.
    pub power_static_uw: f64,
    /// DRAM device model name (a memspec shipped with cnnc).
    pub dram: String,
    /// The chip's DRAM link: bits per transfer and transfers per second.
    pub dram_width_bits: u64,
    pub dram_clock_hz: u64,
}

/// Relative costs the mapping search charges per element access at each
/// level and per MAC (unitless: only their ratios rank candidates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SearchPrices {
    pub rf: u64,
    pub noc: u64,
    pub glb: u64,
    pub dram: u64,
    pub mac: u64,
}

impl SearchPrices {
    /// The row-stationary paper's normalized energies per 16-bit access
    /// (Chen, Emer, Sze, ISCA 2016, Table IV): RF 1, NoC (inter-PE) 2,
    /// global buffer 6, DRAM 200, one MAC 1.
    pub const ISCA2016: SearchPrices = SearchPrices {
        rf: 1,
        noc: 2,
        glb: 6,
        dram: 200,
        mac: 1,
    };
}

impl Arch {
    /// The built-in `eyeriss` arch: the values of language-v1.md section 2.2
    /// with a 12 x 14 array (Chen et al., JSSC 2017).
    pub fn eyeriss() -> Arch {
        Arch {
            name: "eyeriss".to_string(),
            span: SrcSpan::default(),
            array: Hw::new(12, 14),
            rf_ifmap: 12,
            rf_filter: 224,
            rf_psum: 24,
            glb_bank: 4096,
            glb_banks: 25,
            glb_filter_banks: 2,
            // The chip's banks are 512 x 64 b SRAMs (JSSC 2017 §V-A); SASiML
            // models no banks, so `eyeriss` takes the chip's width.
            glb_width_bits: 64,
            precision: 16,
            clock_hz: 200_000_000,
            pipeline_mul: 2,
            pipeline_add: 1,
            fifo_depth: 64,
            noc_ifmap: 1,
            noc_filter: 1,
            noc_ofmap: 1,
            noc_psum: 1,
            zero_gating: true,
            psum_across_sets: false,
            psum_spill: true,
            search_prices: None,
            energy_rf: 0.9,
            energy_noc: 1.8,
            energy_mul: 1.1,
            energy_add: 0.4,
            energy_glb: 5.4,
            // SASiML charges no static power.
            power_static_uw: 0.0,
            dram: "ddr4-1866".to_string(),
            // SASiML's DRAMPower setting: a 64-bit DDR4-1866 rank; 1866
            // million transfers per second.
            dram_width_bits: 64,
            dram_clock_hz: 1_866_000_000,
        }
    }

    /// The built-in `eyeriss_chip` arch: the chip's published parameters
    /// (Chen et al., JSSC 2017); docs/validation.md gives the source of each
    /// value and says what was chosen where the paper gives none.
    pub fn eyeriss_chip() -> Arch {
        Arch {
            name: "eyeriss_chip".to_string(),
            // The filter and psum input networks and the output network are
            // 64 bits (4 values of 16 bits) wide, the ifmap network 16 bits.
            noc_ifmap: 1,
            noc_filter: 4,
            noc_ofmap: 4,
            noc_psum: 4,
            // CONV4-5's channel sets add their psums inside the array.
            psum_across_sets: true,
            // The chip's psums stay on chip until final (JSSC 2017 §III).
            psum_spill: false,
            // Its mapper's objective: ISCA 2016 Table IV.
            search_prices: Some(SearchPrices::ISCA2016),
            // A 64-bit bidirectional link at 60 MHz (Tables V and VI).
            dram_width_bits: 64,
            dram_clock_hz: 60_000_000,
            ..Arch::eyeriss()
        }
    }

    /// A built-in arch by name.
    pub fn builtin(name: &str) -> Option<Arch> {
        match name {
            "eyeriss" => Some(Arch::eyeriss()),
            "eyeriss_chip" => Some(Arch::eyeriss_chip()),
            _ => None,
        }
    }

    /// Names of the built-in archs.
    pub const BUILTINS: &'static [&'static str] = &["eyeriss", "eyeriss_chip"];

    /// Core cycles the DRAM link needs for `bytes`.
    pub fn dram_link_cycles(&self, bytes: u128) -> u128 {
        let per_transfer = (self.dram_width_bits / 8).max(1) as u128;
        let transfers = bytes.div_ceil(per_transfer);
        (transfers * self.clock_hz as u128).div_ceil(self.dram_clock_hz.max(1) as u128)
    }

    /// Bytes per data element (precision rounded up to whole bytes).
    pub fn element_bytes(&self) -> u64 {
        self.precision.div_ceil(8)
    }
}

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
    pub zero_gating: bool,
    pub energy_rf: f64,
    pub energy_noc: f64,
    pub energy_mul: f64,
    pub energy_add: f64,
    pub energy_glb: f64,
    /// DRAM device model name (a memspec shipped with cnnc).
    pub dram: String,
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
            precision: 16,
            clock_hz: 200_000_000,
            pipeline_mul: 2,
            pipeline_add: 1,
            fifo_depth: 64,
            noc_ifmap: 1,
            noc_filter: 1,
            noc_ofmap: 1,
            zero_gating: true,
            energy_rf: 0.9,
            energy_noc: 1.8,
            energy_mul: 1.1,
            energy_add: 0.4,
            energy_glb: 5.4,
            dram: "ddr4-1866".to_string(),
        }
    }

    /// Bytes per data element (precision rounded up to whole bytes).
    pub fn element_bytes(&self) -> u64 {
        self.precision.div_ceil(8)
    }
}

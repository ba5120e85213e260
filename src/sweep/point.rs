//! Costing one design point: every layer and pass of the target on the
//! point's arch and dataflow, summed over the layers.

use crate::backend::{compute, Request, Target};
use crate::cost::layer::LayerStats;
use crate::diag::{Code, Diagnostic};
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, GflowGroup, Objective, PassKind};

/// The figures of one design point (sums over its layers and passes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cost {
    pub cycles: u64,
    pub time_us: f64,
    pub energy_pj: f64,
    pub energy_rf_pj: f64,
    pub energy_noc_pj: f64,
    pub energy_mac_pj: f64,
    pub energy_glb_pj: f64,
    pub energy_dram_pj: f64,
    pub dram_bytes: u64,
    /// The products the target needs (no inserted zeros).
    pub necessary_macs: u64,
    pub mac_slots_offered: u64,
}

impl Cost {
    /// Necessary MACs over the MAC slots offered (array PEs x cycles), over
    /// the whole target: the one meaning of utilisation (docs/stats.md).
    pub fn utilisation(&self) -> f64 {
        if self.mac_slots_offered == 0 {
            0.0
        } else {
            self.necessary_macs as f64 / self.mac_slots_offered as f64
        }
    }

    fn add(&mut self, l: &LayerStats) {
        let e = &l.energy_pj;
        self.cycles += l.cycles;
        self.time_us += l.time_us;
        self.energy_pj += e.total;
        self.energy_rf_pj += e.rf;
        self.energy_noc_pj += e.noc;
        self.energy_mac_pj += e.mac;
        self.energy_glb_pj += e.glb;
        self.energy_dram_pj += e.dram;
        self.dram_bytes += l.dram_bytes;
        self.necessary_macs += l.necessary_macs;
        self.mac_slots_offered += l.mac_slots_offered;
    }
}

/// What a point gave: its cost, or why the arch or dataflow cannot run it
/// (the first refusal, e.g. a mapping that does not fit).
pub type Outcome = Result<Cost, String>;

/// Whether a diagnostic is a bug in cnnc (wrong outputs, broken
/// invariants), which must stop the sweep rather than become a row: the
/// codes from E0900 on (`Code` orders as its strings do).
fn is_internal(d: &Diagnostic) -> bool {
    d.code >= Code::Internal
}

/// Costs `layers` x `passes` on `arch` with `dataflow`, through the same
/// orchestrator as a run (`backend::compute`: Grad-Flow fitted to the
/// scratchpads, its grouping chosen or fixed, the row-stationary fallback
/// of the passes it does not map). `Err` only for an internal error or
/// wrong outputs; refusals are an `Ok(Err(..))` row.
pub fn evaluate(
    layers: &[&Layer],
    passes: &[PassKind],
    arch: &Arch,
    dataflow: Dataflow,
    gflow_group: GflowGroup,
    objective: Objective,
    seed: u64,
) -> Result<Outcome, Diagnostic> {
    let mut cost = Cost::default();
    for &l in layers {
        let req = Request {
            dataflow,
            gflow_group,
            objective,
            seed,
            ..Request::new(Target::Layer(l), arch)
        };
        for &pass in passes {
            let refuse = |d: Diagnostic| -> Result<Outcome, Diagnostic> {
                if is_internal(&d) {
                    Err(d)
                } else {
                    Ok(Err(format!(
                        "{} {pass:?}: error[{}]: {}",
                        l.name, d.code, d.message
                    )
                    .replace(['\n', '\r'], " ")))
                }
            };
            match compute(&req, l, pass, dataflow).map(|r| r.layer) {
                Ok(Ok(s)) => cost.add(&s),
                Ok(Err(d)) | Err(d) => return refuse(d),
            }
        }
    }
    Ok(Ok(cost))
}

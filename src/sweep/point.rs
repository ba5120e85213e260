//! Costing one design point: every layer and pass of the target on the
//! point's arch and dataflow, summed over the layers.

use crate::cost::layer::{layer_stats, LayerStats};
use crate::diag::{Code, Diagnostic, IntoDiagnostic};
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, PassKind};
use crate::passes::{compile, PassOptions};
use crate::sim::simulate;

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
    pub mac_slots_used: u64,
    pub mac_slots_offered: u64,
}

impl Cost {
    /// MAC slots used over those offered, over the whole target.
    pub fn utilisation(&self) -> f64 {
        if self.mac_slots_offered == 0 {
            0.0
        } else {
            self.mac_slots_used as f64 / self.mac_slots_offered as f64
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
        self.mac_slots_used += l.mac_slots_used;
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

/// Costs `layers` x `passes` on `arch` with `dataflow`. `Err` only for an
/// internal error; refusals are an `Ok(Err(..))` row.
pub fn evaluate(
    layers: &[&Layer],
    passes: &[PassKind],
    arch: &Arch,
    dataflow: Dataflow,
    gflow_group: i64,
    seed: u64,
) -> Result<Outcome, Diagnostic> {
    let mut cost = Cost::default();
    for l in layers {
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
            let opts = PassOptions::gflow_group(gflow_group);
            let o = match compile(l, arch, pass, dataflow, &opts, None)
                .and_then(|m| simulate(m, seed))
            {
                Ok(o) => o,
                Err(d) => return refuse(d),
            };
            if !o.stats.verified {
                return Err(Diagnostic::error(
                    Code::WrongOutputs,
                    format!(
                        "simulated outputs of layer `{}` ({pass:?}) differ from the reference",
                        l.name
                    ),
                )
                .with_primary(l.span, "this layer")
                .with_help(
                    "this is a bug in cnnc's mapping; please report it with the input file",
                ));
            }
            match layer_stats(&o, crate::options::Objective::Energy) {
                Ok(s) => cost.add(&s),
                Err(e) => return refuse(e.into_diagnostic()),
            }
        }
    }
    Ok(Ok(cost))
}

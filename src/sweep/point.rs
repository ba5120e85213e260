//! Costing one design point: every layer and pass of the target on the
//! point's arch and dataflow, summed over the layers.

use crate::backend::{compute, csv_rows, Request, Target};
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
    /// The chip's static energy: with the levels above, `energy_pj`.
    pub energy_static_pj: f64,
    pub dram_bytes: u64,
    /// The analytic estimate's cycles, summed: set against `cycles` it
    /// shows where the search's estimate and the simulation part.
    pub estimate_cycles: u64,
    /// Cycles the array waited for DRAM (`stall_cycles.dram`), summed.
    pub stall_dram_cycles: u64,
    /// Layer-passes costed, and how many of them were simulated.
    pub layer_passes: u64,
    pub simulated: u64,
    /// Cycles per bound (docs/stats.md, CSV `bound`), in first-seen order.
    pub bound_cycles: Vec<(&'static str, u64)>,
    /// The mapping chosen per layer-pass: `layer pass: n=.. p=..`.
    pub mappings: Vec<String>,
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

    /// `simulation`, `estimate` or `mixed`: where the cycles come from.
    pub fn cycles_from(&self) -> &'static str {
        match self.simulated {
            0 => "estimate",
            n if n == self.layer_passes => "simulation",
            _ => "mixed",
        }
    }

    /// The bound of most of the point's cycles (the first on a tie).
    pub fn bound(&self) -> &'static str {
        self.bound_cycles
            .iter()
            .fold(("", 0u64), |b, &(n, c)| {
                if c > b.1 || b.0.is_empty() {
                    (n, c)
                } else {
                    b
                }
            })
            .0
    }

    /// The mappings, one per layer-pass; the layer and pass are left out
    /// when the point has one layer-pass.
    pub fn mapping(&self) -> String {
        match self.mappings.as_slice() {
            [one] => one
                .split_once(": ")
                .map_or(one.clone(), |(_, m)| m.to_string()),
            all => all.join("; "),
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
        self.energy_static_pj += e.static_power;
        self.dram_bytes += l.dram_bytes;
        self.estimate_cycles += l.estimate.cycles;
        self.stall_dram_cycles += l.stall_cycles.dram;
        self.layer_passes += 1;
        self.simulated += u64::from(l.cycles_from == "simulation");
        let b = csv_rows::bound(l);
        match self.bound_cycles.iter_mut().find(|(n, _)| *n == b) {
            Some((_, c)) => *c += l.cycles,
            None => self.bound_cycles.push((b, l.cycles)),
        }
        self.mappings.push(format!(
            "{} {}: {}",
            l.layer,
            format!("{:?}", l.pass).to_lowercase(),
            l.mapping_text()
        ));
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

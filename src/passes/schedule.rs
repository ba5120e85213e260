//! Network scheduling: what the ifmap, filter, ofmap and local psum networks
//! carry for one 2-D convolution, how many cycles that takes at the arch's
//! bandwidths, and how much scratchpad the schedule keeps in each PE.

use std::collections::BTreeSet;

use super::{Part, Pass, PassError, PassOptions};
use crate::ir::{LogicalSet, Module, Net, NetworkPlan, Src};

pub struct Schedule;

impl Pass for Schedule {
    fn name(&self) -> &'static str {
        "schedule"
    }
    fn description(&self) -> &'static str {
        "fix network traffic and delivery cycles within the arch's bandwidths and size the scratchpads"
    }
    fn needs(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Plan]
    }
    fn files(&self) -> &'static [&'static str] {
        &["schedule.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"counts what the networks carry for one 2-D convolution (distinct elements the GLB multicasts, receptions, ofmap writes, psum hops), the cycles at the arch's bandwidths, and the scratchpad entries each PE needs."#
    }
    fn run(&self, m: &mut Module, _opts: &PassOptions) -> Result<(), PassError> {
        let set = super::needed(m.set.as_ref());
        let a = &m.arch;
        m.plan = Some(plan(set, a.noc_ifmap, a.noc_filter, a.noc_ofmap));
        Ok(())
    }
}

/// Distinct non-zero sources, and all non-zero receptions. Inserted zeros
/// are generated in the PE, not sent.
fn traffic<'a>(inits: impl Iterator<Item = &'a Vec<Src>>) -> (u64, u64) {
    let mut distinct = BTreeSet::new();
    let mut receives = 0u64;
    for init in inits {
        for s in init.iter().filter(|s| !s.is_zero()) {
            distinct.insert(*s);
            receives += 1;
        }
    }
    (distinct.len() as u64, receives)
}

pub fn plan(set: &LogicalSet, bw_i: u64, bw_f: u64, bw_o: u64) -> NetworkPlan {
    // Preloaded contents count once per distinct value (a multicast), and
    // each delivery of a streamed (physical or ring) scratchpad once more.
    let side = |net: Net, init: fn(&crate::ir::PeSchedule) -> &Vec<Src>| {
        let (sends, receives) = traffic(set.pes.iter().map(init));
        let d = set.deliveries.iter().filter(|d| d.net == net && !d.local);
        (
            sends + d.clone().count() as u64,
            receives + d.map(|d| d.targets.len() as u64).sum::<u64>(),
        )
    };
    let (ifmap_sends, ifmap_receives) = side(Net::Ifmap, |p| &p.ifmap_init);
    let (filter_sends, filter_receives) = side(Net::Filter, |p| &p.filter_init);
    let ofmap_writes = set
        .pes
        .iter()
        .map(|p| p.words.iter().filter(|w| w.out.is_some()).count() as u64)
        .sum();
    let pushes: u64 = set
        .pes
        .iter()
        .map(|p| p.words.iter().filter(|w| w.push).count() as u64)
        .sum();
    NetworkPlan {
        ifmap_sends,
        filter_sends,
        ifmap_receives,
        filter_receives,
        ifmap_cycles: ifmap_sends.div_ceil(bw_i.max(1)),
        filter_cycles: filter_sends.div_ceil(bw_f.max(1)),
        ofmap_writes,
        ofmap_cycles: ofmap_writes.div_ceil(bw_o.max(1)),
        rf_ifmap_need: set
            .pes
            .iter()
            .map(|p| p.ifmap_entries() as u64)
            .max()
            .unwrap_or(0),
        rf_filter_need: set
            .pes
            .iter()
            .map(|p| p.filter_entries() as u64)
            .max()
            .unwrap_or(0),
        rf_psum_need: set
            .pes
            .iter()
            .map(|p| p.psum_entries as u64)
            .max()
            .unwrap_or(0),
        psum_hops: pushes - ofmap_writes,
    }
}

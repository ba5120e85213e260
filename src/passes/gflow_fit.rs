//! Grad-Flow on the arch's scratchpads. The Grad-Flow schedules keep every
//! value a PE multiplies in its scratchpads for the whole convolution (the
//! original's model), which on a real layer is thousands of entries against
//! the chip's 12 / 224. This pass fits a set to `rf.ifmap` and `rf.filter`:
//! a scratchpad side whose contents exceed its size becomes a ring of that
//! many entries, the u-th read of a PE using slot `u mod size`, and every
//! read's value is delivered over its network (ifmap side on the ifmap
//! network, filter side on the filter network) after the slot's previous
//! occupant was read and by the read itself. Deliveries of one value whose
//! windows overlap go as one multicast; an earliest-deadline-first schedule
//! at `noc.ifmap` / `noc.filter` sends per cycle must meet every read.
//!
//! When the networks cannot keep up, the schedule is slowed down uniformly:
//! a read of cycle `c` issues at `start + k·c + (k-1)·d1`, its adder step at
//! `start + k·(c + d1)` and an output pop at `start + k·(c-1) + 1`, which
//! keeps every read-to-adder distance (`d1 = mul + add - 1`), keeps pops
//! after their pushes and psums from below after they were sent. The
//! smallest factor `k` the networks can feed is taken, then the shortest
//! start.
//!
//! Psums: the input-gradient schedule gives every gradient element a PE
//! touches its own psum slot (the original's allocation); a large strided
//! filter touches more than `rf.psum`. A slot is free again once its sum
//! has been read for the last time, so the sums are re-packed into the
//! fewest slots their lifetimes allow.
//!
//! Sets that fit are left untouched (the original's figures).

use super::{Part, Pass, PassError, PassOptions};
use crate::diag::Diagnostic;
use crate::ir::Slot;
use crate::ir::{Delivery, LogicalSet, Module, Net, Src, Word};
use crate::model::Arch;
use crate::options::PassKind;

pub struct GflowFit;

impl Pass for GflowFit {
    fn name(&self) -> &'static str {
        "gflow-fit"
    }
    fn description(&self) -> &'static str {
        "fit a Grad-Flow set to the arch's scratchpads: psums re-packed by lifetime, larger ifmap/filter contents streamed through rings, reads slowed until the networks keep up"
    }
    fn needs(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn files(&self) -> &'static [&'static str] {
        &["gflow_fit.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"Grad-Flow's physical pipeline (`grad-flow-fitted`, what the whole layer runs; `pass_stats` keeps the unfitted set for parity): psum slots re-packed by lifetime when a PE needs more than `rf.psum` (an input gradient that still needs more reads its weight columns by residue modulo the stride); a scratchpad side whose contents exceed `rf.ifmap` / `rf.filter` becomes a ring fed by EDF-scheduled deliveries; the schedule stretched uniformly until the networks keep up. See docs/layer-model.md §2."#
    }
    fn run(&self, m: &mut Module, _opts: &PassOptions) -> Result<(), PassError> {
        let set = super::needed(m.set.as_mut());
        let cap = m.arch.rf_psum;
        let over = |s: &LogicalSet| s.pes.iter().any(|p| p.psum_entries as u64 > cap);
        if over(set) {
            for pe in &mut set.pes {
                compact_psums(pe);
            }
        }
        // A large strided filter keeps every gradient column of a PE live;
        // read by residue, its sums live one column at a time.
        if over(set) && m.pass == PassKind::Igrad && m.layer.is_ordinary() {
            let (mul, add) = (m.arch.pipeline_mul, m.arch.pipeline_add);
            // The grouping is the one the set was mapped with, which
            // gflow-map recorded in it: this pass also runs on a module
            // compiled earlier (`refit`), whose run options are gone.
            let group = set.gflow_group.unwrap_or(1);
            let mut by_residue = super::gflow_igrad_set_ordered(&m.layer, group, mul, add, true)
                .map_err(PassError::refused)?;
            for pe in &mut by_residue.pes {
                compact_psums(pe);
            }
            let most = |s: &LogicalSet| s.pes.iter().map(|p| p.psum_entries).max();
            if most(&by_residue) < most(set) {
                by_residue.placement.rules.push(format!(
                    "weight columns read by residue modulo the column stride {} (fewer live psums)",
                    m.layer.stride.w
                ));
                *set = by_residue;
            }
        }
        let Some(sides) = Sides::needed(set, &m.arch) else {
            return Ok(());
        };
        let streamed = stream(set, &m.arch, sides, &m.layer).map_err(PassError::refused)?;
        m.set = Some(streamed);
        Ok(())
    }
}

/// Re-packs a PE's psum slots: a sum lives from the write that starts it
/// (through the read-and-write steps that accumulate into it) to its last
/// read; sums whose lifetimes do not overlap share a slot. Lifetimes are
/// taken in the order they start and each gets the lowest slot free since
/// before its first write.
fn compact_psums(pe: &mut crate::ir::PeSchedule) {
    // Pass 1: the sum (chain) each read and write belongs to, and its life.
    let mut current: Vec<Option<usize>> = vec![None; pe.psum_entries as usize];
    let mut life: Vec<(usize, usize)> = Vec::new();
    let mut uses: Vec<(Option<usize>, Option<usize>)> = Vec::with_capacity(pe.words.len());
    for (c, w) in pe.words.iter().enumerate() {
        let rd = w
            .psum_rd
            .get()
            .and_then(|a| current.get(a as usize).copied().flatten());
        if let Some(ch) = rd {
            life[ch].1 = c;
        }
        let wr = w.psum_wr.get().map(|b| {
            let ch = rd.unwrap_or_else(|| {
                life.push((c, c));
                life.len() - 1
            });
            life[ch].1 = life[ch].1.max(c);
            if let Some(slot) = current.get_mut(b as usize) {
                *slot = Some(ch);
            }
            ch
        });
        uses.push((rd, wr));
    }
    // Pass 2: slots by lifetime, lowest free first.
    let mut slot_of = vec![0u32; life.len()];
    let mut busy: std::collections::BinaryHeap<std::cmp::Reverse<(usize, u32)>> =
        Default::default();
    let mut free: std::collections::BTreeSet<u32> = Default::default();
    let mut slots = 0u32;
    for (ch, &(start, end)) in life.iter().enumerate() {
        while let Some(&std::cmp::Reverse((until, s))) = busy.peek() {
            if until >= start {
                break;
            }
            busy.pop();
            free.insert(s);
        }
        let s = free.pop_first().unwrap_or_else(|| {
            slots += 1;
            slots - 1
        });
        slot_of[ch] = s;
        busy.push(std::cmp::Reverse((end, s)));
    }
    for (w, (rd, wr)) in pe.words.iter_mut().zip(uses) {
        if let Some(ch) = rd {
            w.psum_rd = Slot::new(slot_of[ch]);
        }
        if let Some(ch) = wr {
            w.psum_wr = Slot::new(slot_of[ch]);
        }
    }
    pe.psum_entries = slots;
}

/// Which scratchpad sides stream, with their ring sizes.
#[derive(Debug, Clone, Copy)]
struct Sides {
    ifmap: Option<u64>,
    filter: Option<u64>,
}

impl Sides {
    /// `None` when every PE's contents fit its scratchpads.
    fn needed(set: &LogicalSet, arch: &Arch) -> Option<Sides> {
        let over = |len: fn(&crate::ir::PeSchedule) -> usize, cap: u64| {
            set.pes
                .iter()
                .any(|p| len(p) as u64 > cap)
                .then_some(cap.max(1))
        };
        let s = Sides {
            ifmap: over(|p| p.ifmap_init.len(), arch.rf_ifmap),
            filter: over(|p| p.filter_init.len(), arch.rf_filter),
        };
        (s.ifmap.is_some() || s.filter.is_some()).then_some(s)
    }

    fn ring(&self, net: Net) -> Option<u64> {
        match net {
            Net::Ifmap => self.ifmap,
            Net::Filter => self.filter,
            Net::Psum => None,
        }
    }
}

/// One delivery in the original schedule's cycles: its value may leave
/// after the read at `after` (`None`: from the start) and must arrive by
/// the read at `by`.
#[derive(Debug, Clone)]
struct Group {
    net: Net,
    src: Src,
    after: Option<u64>,
    by: u64,
    targets: Vec<(u32, u32)>,
}

/// The timing a stretch factor and start give each cycle class.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    k: u64,
    start: u64,
    d1: u64,
}

impl Stretch {
    fn read(&self, c: u64) -> u64 {
        self.start + self.k * c + (self.k - 1) * self.d1
    }
    fn adder(&self, c: u64) -> u64 {
        self.start + self.k * c
    }
    fn pop(&self, c: u64) -> u64 {
        self.start + (self.k * c.saturating_sub(1) + 1).min(self.k * c)
    }
    /// The send window of a group: after the previous occupant's read, by
    /// its own read.
    fn window(&self, g: &Group) -> (u64, u64) {
        (g.after.map_or(0, |c| self.read(c) + 1), self.read(g.by))
    }
}

/// Reads of one side of every PE as groups (one per read, then merged into
/// multicasts of the same value whose windows overlap).
fn groups(set: &LogicalSet, net: Net, ring: u64) -> Vec<Group> {
    let mut items: Vec<Group> = Vec::new();
    for (i, pe) in set.pes.iter().enumerate() {
        let init = match net {
            Net::Ifmap => &pe.ifmap_init,
            Net::Filter => &pe.filter_init,
            Net::Psum => return Vec::new(),
        };
        let reads: Vec<(u64, u32)> = pe
            .words
            .iter()
            .enumerate()
            .filter_map(|(c, w)| {
                let a = match net {
                    Net::Ifmap => w.ifm,
                    Net::Filter => w.fil,
                    Net::Psum => w.psum_rd,
                };
                a.get().map(|a| (c as u64, a))
            })
            .collect();
        for (u, &(c, a)) in reads.iter().enumerate() {
            let src = init.get(a as usize).copied().unwrap_or(Src::ZERO);
            let after = (u as u64 >= ring).then(|| reads[u - ring as usize].0);
            items.push(Group {
                net,
                src,
                after,
                by: c,
                targets: vec![(i as u32, (u as u64 % ring) as u32)],
            });
        }
    }
    // A value's deliveries merge while every one can leave before the
    // earliest is due (the windows scale with the stretch, so the merge
    // holds for every stretch factor and start).
    items.sort_by_key(|g| (g.src, g.by));
    let mut out: Vec<Group> = Vec::new();
    for g in items {
        if let Some(last) = out.last_mut() {
            if last.src == g.src && g.after.is_none_or(|c| c < last.by) {
                last.after = last.after.max(g.after);
                last.targets.extend(g.targets);
                continue;
            }
        }
        out.push(g);
    }
    out
}

/// Networked groups per net with their (release, deadline) order.
struct Net1<'a> {
    groups: Vec<&'a Group>,
    order: Vec<usize>,
    bw: u64,
}

impl<'a> Net1<'a> {
    fn new(all: &'a [Group], net: Net, bw: u64) -> Net1<'a> {
        let groups: Vec<&Group> = all
            .iter()
            .filter(|g| g.net == net && !g.src.is_zero())
            .collect();
        // Windows are monotone in the original cycles for every stretch, so
        // one order serves every trial.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&i| (groups[i].after.map_or(0, |c| c + 1), groups[i].by, i));
        Net1 { groups, order, bw }
    }

    fn sends(&self, s: &Stretch) -> Option<Vec<u64>> {
        let windows: Vec<(u64, u64)> = self.groups.iter().map(|g| s.window(g)).collect();
        super::deliver::edf_sorted(&windows, &self.order, self.bw)
    }

    /// Sends due before anything was read: the start that lets them in.
    fn fill(&self) -> u64 {
        let n = self.groups.iter().filter(|g| g.after.is_none()).count() as u64;
        n.div_ceil(self.bw.max(1))
    }
}

fn stream(
    set: &LogicalSet,
    arch: &Arch,
    sides: Sides,
    layer: &crate::model::Layer,
) -> Result<LogicalSet, Diagnostic> {
    let mut all = Vec::new();
    for net in [Net::Ifmap, Net::Filter] {
        if let Some(ring) = sides.ring(net) {
            all.extend(groups(set, net, ring));
        }
    }
    let nets = [
        Net1::new(&all, Net::Ifmap, arch.noc_ifmap),
        Net1::new(&all, Net::Filter, arch.noc_filter),
    ];
    let d1 = arch
        .pipeline_mul
        .saturating_add(arch.pipeline_add)
        .saturating_sub(1);
    let len = set.length() as u64;
    let pes = set.pes.len() as u64;
    let late = nets.iter().map(Net1::fill).max().unwrap_or(0) + 1;
    let fits = |k: u64, start: u64| {
        let s = Stretch { k, start, d1 };
        nets.iter().all(|n| n.sends(&s).is_some())
    };
    // Every original cycle reads at most one value per PE and side, so a
    // factor of the PEs over the narrower network always keeps up.
    let cap = pes.div_ceil(arch.noc_ifmap.min(arch.noc_filter).max(1)) + 1;
    let mut hi = 1;
    while !fits(hi, late) {
        if hi >= cap {
            return Err(Diagnostic::error(
                crate::diag::Code::ScheduleTooLarge,
                format!(
                    "Grad-Flow: the networks (`noc.ifmap = {}`, `noc.filter = {}`) cannot feed this set through `rf.ifmap = {}` / `rf.filter = {}`",
                    arch.noc_ifmap, arch.noc_filter, arch.rf_ifmap, arch.rf_filter
                ),
            )
            .with_primary(layer.span, "this layer")
            .with_help("raise the network bandwidths or the scratchpad sizes"));
        }
        hi = (hi * 2).min(cap);
    }
    let k = least(hi / 2 + 1, hi, |k| fits(k, late));
    let start = least(0, late, |start| fits(k, start));
    let s = Stretch { k, start, d1 };
    // The streamed set is built dense in one step, so only the array-wide
    // bound applies (not the bound on Grad-Flow's sparse event lists).
    let pe_cycles = pes.saturating_mul(s.adder(len + d1) + 2);
    if pe_cycles > super::MAX_PE_CYCLES {
        return Err(Diagnostic::error(
            crate::diag::Code::ScheduleTooLarge,
            format!(
                "Grad-Flow: the streamed set needs {pe_cycles} PE-cycles, more than the limit of {} PE-cycles",
                super::MAX_PE_CYCLES
            ),
        )
        .with_primary(layer.span, "this layer")
        .with_help("use a grouping that needs fewer PE-cycles, or `--dataflow rs`"));
    }
    Ok(build(set, sides, &all, &nets, &s))
}

/// The smallest value in `lo..=hi` that `ok` accepts, by bisection (`ok(hi)`
/// holds; a larger stretch or a later start only gives the networks more
/// time).
fn least(mut lo: u64, mut hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
    while lo < hi {
        let mid = (lo + hi) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// The streamed set: stretched words, ring addresses, deliveries in cycle
/// order.
fn build(
    set: &LogicalSet,
    sides: Sides,
    all: &[Group],
    nets: &[Net1; 2],
    s: &Stretch,
) -> LogicalSet {
    let mut out = set.without_words();
    // One past the last mapped event: reads and adder steps of the last
    // original cycle, or a pop one cycle later.
    let last = set.length().saturating_sub(1) as u64;
    let length = (s.read(last).max(s.adder(last)).max(s.pop(last + 1)) + 1) as usize;
    for (pe, orig) in out.pes.iter_mut().zip(&set.pes) {
        let mut words = vec![Word::default(); length];
        let (mut ui, mut uf) = (0u64, 0u64);
        for (c, w) in orig.words.iter().enumerate() {
            let c = c as u64;
            if w.ifm.is_some() || w.fil.is_some() {
                let r = &mut words[s.read(c) as usize];
                r.ifm = w.ifm;
                r.fil = w.fil;
                if let (Some(ring), true) = (sides.ifmap, w.ifm.is_some()) {
                    r.ifm = Slot::new((ui % ring) as u32);
                    ui += 1;
                }
                if let (Some(ring), true) = (sides.filter, w.fil.is_some()) {
                    r.fil = Slot::new((uf % ring) as u32);
                    uf += 1;
                }
            }
            let a = &mut words[s.adder(c) as usize];
            a.psum_rd = a.psum_rd.or(w.psum_rd);
            a.psum_wr = a.psum_wr.or(w.psum_wr);
            a.take_in |= w.take_in;
            a.push |= w.push;
            if w.out.is_some() {
                words[s.pop(c) as usize].out = w.out;
            }
        }
        pe.words = words;
        if let Some(ring) = sides.ifmap {
            pe.ifmap_init.clear();
            pe.ifmap_capacity = ring as u32;
        }
        if let Some(ring) = sides.filter {
            pe.filter_init.clear();
            pe.filter_capacity = ring as u32;
        }
    }
    // Every PE ends with the set's last event.
    let end = out
        .pes
        .iter()
        .map(|p| p.words.len() - p.words.iter().rev().take_while(|w| w.is_idle()).count())
        .max()
        .unwrap_or(0);
    for pe in &mut out.pes {
        pe.words.truncate(end);
    }
    let mut deliveries: Vec<Delivery> = Vec::with_capacity(all.len());
    for n in nets {
        // `fits` held for this stretch, so the schedule exists.
        let when = n.sends(s).unwrap_or_default();
        for (g, t) in n.groups.iter().zip(when) {
            deliveries.push(delivery(g, t, false));
        }
    }
    for g in all.iter().filter(|g| g.src.is_zero()) {
        // Inserted zeros are written by the PE itself once the slot frees.
        deliveries.push(delivery(g, s.window(g).0, true));
    }
    deliveries.sort_by_key(|d| d.cycle);
    let ring = |r: Option<u64>| r.map_or("preloaded".to_string(), |r| format!("a ring of {r}"));
    out.placement.rules.push(format!(
        "streamed: ifmap side {}, filter side {}; reads every {} cycles, start {}",
        ring(sides.ifmap),
        ring(sides.filter),
        s.k,
        s.start
    ));
    out.deliveries = deliveries;
    out
}

fn delivery(g: &Group, cycle: u64, local: bool) -> Delivery {
    Delivery {
        cycle: cycle as u32,
        net: g.net,
        local,
        src: g.src,
        targets: g.targets.clone(),
    }
}

//! The timing search of a processing pass: the least window period and
//! start that an earliest-deadline-first schedule of every network's
//! deliveries can feed.

use crate::ir::Net;
use crate::model::Arch;
use crate::passes::deliver::{edf_lateness, edf_sorted, Item};

/// The delivery problem of a pass's items, per network, set up once for
/// every start the timing search tries: which items each network sends
/// and their (release, deadline) order. A later start moves every release
/// but 0 and every deadline by the same amount, so that order holds for
/// every start and is sorted once.
pub(super) struct Timing<'a> {
    pub(super) items: &'a [Item],
    pub(super) nets: Nets,
}

/// Per network: its sends per cycle, its items, and their order.
pub(super) type Nets = Vec<(u64, Vec<usize>, Vec<usize>)>;

impl<'a> Timing<'a> {
    pub(super) fn new(items: &'a [Item], arch: &Arch) -> Timing<'a> {
        let nets = [
            (Net::Ifmap, arch.noc_ifmap),
            (Net::Filter, arch.noc_filter),
            (Net::Psum, arch.noc_psum),
        ]
        .into_iter()
        .map(|(net, bw)| {
            let idx: Vec<usize> = (0..items.len())
                .filter(|&i| items[i].net == net && !items[i].local)
                .collect();
            // Keys beside their index: sorting through `idx` would chase
            // an item per comparison. Indices are distinct, so the order is
            // total and any sort gives the one order; the items come as
            // runs already in order (per chain and column), which the
            // stable sort merges instead of partitioning.
            let mut keyed: Vec<(u64, u64, usize)> = idx
                .iter()
                .enumerate()
                .map(|(k, &i)| (items[i].release, items[i].deadline, k))
                .collect();
            keyed.sort();
            let order: Vec<usize> = keyed.into_iter().map(|(_, _, k)| k).collect();
            (bw, idx, order)
        })
        .collect();
        Timing { items, nets }
    }

    /// No start below this schedules: the items free from the first cycle
    /// (release 0, which no start moves) that must arrive by cycle
    /// `d + start` need `ceil(count / bw)` cycles of their network.
    pub(super) fn least_start(&self) -> u64 {
        let mut least = 0;
        for (bw, idx, _) in &self.nets {
            let mut free: Vec<u64> = idx
                .iter()
                .map(|&i| &self.items[i])
                .filter(|it| it.release == 0)
                .map(|it| it.deadline)
                .collect();
            free.sort_unstable();
            for (k, &d) in free.iter().enumerate() {
                let cycles = (k as u64 + 1).div_ceil((*bw).max(1));
                least = least.max(cycles.saturating_sub(d + 1));
            }
        }
        least
    }

    /// Send cycles for every item with the pass started `start` cycles
    /// later than the items were built for, or `None` if some network
    /// cannot keep up. Every read moves by `start`, so every window does,
    /// except a release of 0 (a slot nobody used before), which stays 0.
    /// Inserted zeros are written by the PE itself, without a network.
    pub(super) fn schedule(&self, start: u64) -> Option<Vec<u64>> {
        let shift = |r: u64| if r == 0 { 0 } else { r + start };
        let mut when: Vec<u64> = self.items.iter().map(|i| shift(i.release)).collect();
        for (bw, idx, order) in &self.nets {
            let windows = self.windows(idx, start)?;
            for (k, t) in edf_sorted(&windows, order, *bw)?.into_iter().enumerate() {
                when[idx[k]] = t;
            }
        }
        Some(when)
    }

    /// The send windows of a network's items `idx` with the pass started
    /// `start` cycles later, or `None` when one frees after its deadline.
    pub(super) fn windows(&self, idx: &[usize], start: u64) -> Option<Vec<(u64, u64)>> {
        let shift = |r: u64| if r == 0 { 0 } else { r + start };
        let windows: Vec<(u64, u64)> = idx
            .iter()
            .map(|&i| (shift(self.items[i].release), self.items[i].deadline + start))
            .collect();
        windows.iter().all(|&(r, d)| r <= d).then_some(windows)
    }

    /// How late the latest item is with the pass started at `start`
    /// (0: it schedules), or `None` when some item's slot frees after its
    /// first read, which no start changes.
    pub(super) fn lateness(&self, start: u64) -> Option<u64> {
        let mut late = 0;
        for (bw, idx, order) in &self.nets {
            let windows = self.windows(idx, start)?;
            late = late.max(edf_lateness(&windows, order, *bw));
        }
        Some(late)
    }

    /// The least start that schedules, at most `late` (which always does).
    /// None below [`Self::least_start`] does. If that one is `L` cycles
    /// late, the answer is `L` later. EDF's lateness is the least a network
    /// can do (unit sends, integer releases, `bw` a cycle), and that least
    /// is the worst overload of an interval of cycles from a release to a
    /// deadline: the sends whose windows lie in it, over `bw`, minus its
    /// length. A later start moves every window but the ones released at
    /// cycle 0 as a whole, so an interval from a later release keeps its
    /// overload (0, as `late` schedules), and one from cycle 0 keeps its
    /// sends and grows one cycle per cycle of start: the lateness falls one
    /// for one until it is 0.
    pub(super) fn first_start(&self, late: u64) -> u64 {
        let least = self.least_start().min(late);
        match self.lateness(least) {
            Some(behind) => (least + behind).min(late),
            None => late,
        }
    }
}

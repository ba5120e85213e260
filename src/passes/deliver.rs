//! Delivery scheduling shared by the streamed mappings: the send cycle of
//! every element a network must deliver, each within its window (it may
//! leave once its scratchpad slot is free and must arrive by its first
//! read), at most `bw` sends per cycle.

use std::cmp::Reverse;

use crate::ir::{DeliveryView, Net, Src};
use std::collections::BinaryHeap;

/// Earliest-deadline-first over one network of `bw` sends per cycle, given
/// each item's `(release, deadline)`: the send cycle of each item, or `None`
/// if some item would be late. EDF meets every deadline whenever any
/// schedule does (unit sends, integer release times).
pub fn edf(windows: &[(u64, u64)], bw: u64) -> Option<Vec<u64>> {
    let n = windows.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (windows[i].0, windows[i].1, i));
    edf_sorted(windows, &order, bw)
}

/// [`edf`] with the items already ordered by (release, deadline).
pub fn edf_sorted(windows: &[(u64, u64)], order: &[usize], bw: u64) -> Option<Vec<u64>> {
    edf_run(windows, order, bw, true).map(|(when, _)| when)
}

/// [`edf_sorted`] run to the end whatever the deadlines: the most any item
/// arrives after its deadline (0: every deadline met). Every send of that
/// schedule moved later by this many cycles meets its deadline moved as
/// much.
pub fn edf_lateness(windows: &[(u64, u64)], order: &[usize], bw: u64) -> u64 {
    edf_run(windows, order, bw, false).map_or(0, |(_, late)| late)
}

/// EDF sends and their greatest lateness; `None` at the first late item
/// when `stop_late`.
fn edf_run(
    windows: &[(u64, u64)],
    order: &[usize],
    bw: u64,
    stop_late: bool,
) -> Option<(Vec<u64>, u64)> {
    let n = order.len();
    let mut heap = BinaryHeap::new();
    let mut when = vec![0u64; windows.len()];
    let (mut t, mut next, mut done, mut late) = (0u64, 0usize, 0usize, 0u64);
    while done < n {
        if heap.is_empty() {
            t = t.max(windows[order[next]].0);
        }
        while next < n && windows[order[next]].0 <= t {
            // (deadline, index) packed in one integer, ordered as the
            // pair: the heap's comparisons are its cost.
            heap.push(Reverse(
                (windows[order[next]].1 as u128) << 64 | order[next] as u128,
            ));
            next += 1;
        }
        for _ in 0..bw.max(1) {
            let Some(Reverse(key)) = heap.pop() else {
                break;
            };
            let (deadline, i) = ((key >> 64) as u64, key as u64 as usize);
            if deadline < t {
                if stop_late {
                    return None;
                }
                late = late.max(t - deadline);
            }
            when[i] = t;
            done += 1;
        }
        t += 1;
    }
    Some((when, late))
}

/// One element a streamed mapping must deliver: when it may leave (its
/// scratchpad slot is free) and by when it must arrive (its first read),
/// on which network, and to which `(PE, address)` targets (held in its
/// [`Items`]).
pub(super) struct Item {
    pub release: u64,
    pub deadline: u64,
    pub net: Net,
    /// An inserted zero the PE writes itself.
    pub local: bool,
    pub src: Src,
    first: usize,
    count: u32,
}

/// A pass's items, their targets side by side in one buffer. The timing
/// search builds a pass at several periods and keeps one build: a target
/// list allocated per item cost an allocation and a free for each of the
/// millions of items a run builds.
#[derive(Default)]
pub(super) struct Items {
    list: Vec<Item>,
    targets: Vec<(u32, u32)>,
}

impl Items {
    /// Room for `items` items and `targets` targets.
    pub fn with_capacity(items: usize, targets: usize) -> Items {
        Items {
            list: Vec::with_capacity(items),
            targets: Vec::with_capacity(targets),
        }
    }

    /// Adds an item of `src`; an inserted zero is written by the PE itself.
    pub fn push(
        &mut self,
        net: Net,
        src: Src,
        release: u64,
        deadline: u64,
        targets: impl IntoIterator<Item = (u32, u32)>,
    ) {
        let first = self.targets.len();
        self.targets.extend(targets);
        // A pass's targets are bounded by its PEs times its items, each
        // list by the array's PEs: far below `u32::MAX`.
        let count = (self.targets.len() - first) as u32;
        self.list.push(Item {
            release,
            deadline,
            net,
            local: src.is_zero(),
            src,
            first,
            count,
        });
    }

    /// The items in the order they were added.
    pub fn list(&self) -> &[Item] {
        &self.list
    }

    /// The `(PE, address)` targets of `item`, one of these items.
    pub fn targets(&self, item: &Item) -> &[(u32, u32)] {
        &self.targets[item.first..item.first + item.count as usize]
    }

    /// The items sent at the cycles `when`, as deliveries in cycle order
    /// (items of one cycle in the order they were added).
    pub fn deliveries(&self, when: &[u64]) -> Vec<DeliveryView<'_>> {
        let mut out: Vec<DeliveryView> = self
            .list
            .iter()
            .zip(when)
            .map(|(it, &t)| DeliveryView {
                cycle: t as u32,
                net: it.net,
                local: it.local,
                src: it.src,
                targets: self.targets(it),
            })
            .collect();
        out.sort_by_key(|d| d.cycle);
        out
    }
}

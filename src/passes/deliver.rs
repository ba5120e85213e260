//! Delivery scheduling shared by the streamed mappings: the send cycle of
//! every element a network must deliver, each within its window (it may
//! leave once its scratchpad slot is free and must arrive by its first
//! read), at most `bw` sends per cycle.

use std::cmp::Reverse;

use crate::ir::{DeliveryView, Net, Src};
use crate::vocab::{TargetLists, TargetSpan};
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
    // (deadline, index) packed in one integer, ordered as the pair: the
    // heap's comparisons are its cost.
    let key = |k: usize| (windows[k].1 as u128) << 64 | k as u128;
    // The items released together at one cycle come in `order` already by
    // (deadline, index): the first such group taken while nothing else
    // waits is read in place (`order[run..run_end]`) instead of through
    // the heap, and each send takes the smaller of its head and the
    // heap's. All of a network's filter rows, released at 0, are one
    // group. The sends are those of a heap of every released item.
    let mut heap = BinaryHeap::new();
    let (mut run, mut run_end) = (0usize, 0usize);
    let mut when = vec![0u64; windows.len()];
    let (mut t, mut next, mut done, mut late) = (0u64, 0usize, 0usize, 0u64);
    while done < n {
        if heap.is_empty() && run == run_end {
            t = t.max(windows[order[next]].0);
        }
        if run == run_end && next < n && windows[order[next]].0 <= t {
            let release = windows[order[next]].0;
            run = next;
            while next < n && windows[order[next]].0 == release {
                next += 1;
            }
            run_end = next;
        }
        while next < n && windows[order[next]].0 <= t {
            heap.push(Reverse(key(order[next])));
            next += 1;
        }
        for _ in 0..bw.max(1) {
            let head = (run < run_end).then(|| key(order[run]));
            let packed = match (head, heap.peek()) {
                (Some(h), Some(&Reverse(top))) if top < h => heap.pop().map(|Reverse(k)| k),
                (Some(h), _) => {
                    run += 1;
                    Some(h)
                }
                (None, _) => heap.pop().map(|Reverse(k)| k),
            };
            let Some(packed) = packed else {
                break;
            };
            let (deadline, i) = ((packed >> 64) as u64, packed as u64 as usize);
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
    targets: TargetSpan,
}

/// A pass's items, their targets in one buffer (the timing search builds a
/// pass at several periods, millions of items a run).
#[derive(Default)]
pub(super) struct Items {
    list: Vec<Item>,
    targets: TargetLists,
}

impl Items {
    /// Room for `items` items and `targets` targets.
    pub fn with_capacity(items: usize, targets: usize) -> Items {
        Items {
            list: Vec::with_capacity(items),
            targets: TargetLists::with_capacity(targets),
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
        let targets = self.targets.push(targets);
        self.list.push(Item {
            release,
            deadline,
            net,
            local: src.is_zero(),
            src,
            targets,
        });
    }

    /// The items in the order they were added.
    pub fn list(&self) -> &[Item] {
        &self.list
    }

    /// The `(PE, address)` targets of `item`, one of these items.
    pub fn targets(&self, item: &Item) -> &[(u32, u32)] {
        self.targets.get(item.targets)
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// EDF as stated: each cycle, up to `bw` of the released items not yet
    /// sent, least (deadline, index) first; the sends and the lateness.
    fn plain_edf(windows: &[(u64, u64)], bw: u64) -> (Vec<u64>, u64) {
        let mut when = vec![None; windows.len()];
        let (mut t, mut late) = (0, 0);
        while when.iter().any(Option::is_none) {
            for _ in 0..bw {
                let pick = (0..windows.len())
                    .filter(|&i| when[i].is_none() && windows[i].0 <= t)
                    .min_by_key(|&i| (windows[i].1, i));
                let Some(i) = pick else { break };
                when[i] = Some(t);
                late = late.max(t.saturating_sub(windows[i].1));
            }
            t += 1;
        }
        (when.into_iter().map(Option::unwrap).collect(), late)
    }

    proptest! {
        /// The sends read in place from a release group are those of the
        /// plain rule, late or not.
        #[test]
        fn edf_sends_as_the_plain_rule(
            items in prop::collection::vec((0u64..12, 0u64..16), 0..60),
            bw in 1u64..4,
        ) {
            let windows: Vec<(u64, u64)> = items.iter().map(|&(r, d)| (r, r + d)).collect();
            let mut order: Vec<usize> = (0..windows.len()).collect();
            order.sort_by_key(|&i| (windows[i].0, windows[i].1, i));
            let (want, late) = plain_edf(&windows, bw);
            prop_assert_eq!(edf_lateness(&windows, &order, bw), late);
            let got = edf_sorted(&windows, &order, bw);
            prop_assert_eq!(got, (late == 0).then_some(want));
        }
    }
}

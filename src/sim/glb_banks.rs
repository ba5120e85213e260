//! The global buffer's banks as a processing pass uses them: each bank
//! serves one access of `glb.width` bits per cycle, so a cycle in which the
//! networks need more accesses of a region than it has banks stalls the
//! whole array until they are served (docs/whole-layer.md §8).
//!
//! A run notes every access the networks make ([`GlbEvent`]); a
//! [`BankTrace`] keeps, per cycle, the words each region is asked for.
//! How many banks a region has depends on the bank split, which the memory
//! timeline chooses after the array has run, so [`BankTrace::stall_cycles`]
//! is asked once per split.
//!
//! The layout is cnnc's assumption (the papers give none): a network's
//! elements of one cycle lie together, so `k` elements are `ceil(k /
//! elements per word)` accesses (the chip's 64-bit buses are as wide as a
//! bank word), and a cycle's words lie in distinct banks whenever the
//! region has enough of them. The stalls are then those no layout avoids:
//! a cycle needing more accesses of a region than the region has banks.
//! A layout that scatters a cycle's words (row-major planes) stalls far
//! more; docs/whole-layer.md §8 gives the figure.

use crate::ir::{Net, Src};

/// One global-buffer access of a run: an element sent on a network, or an
/// output (a psum or a layer output) written back, by its index in the
/// pass's output tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlbUse {
    Read(Net, Src),
    Write(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlbEvent {
    pub cycle: u64,
    pub what: GlbUse,
}

/// The banks of each region under one bank split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionBanks {
    pub ifmap: u64,
    pub psum: u64,
    pub filter: u64,
}

/// The streams a cycle's accesses come in: ifmap, filter and psum reads,
/// and writes (psums and outputs, into the psum region).
const STREAMS: usize = 4;

/// A pass's global-buffer accesses: per cycle with any, the words each
/// region is asked for (ifmap, psum, filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankTrace {
    cycles: Vec<(u64, [u64; 3])>,
}

impl BankTrace {
    /// The trace of a run's accesses (in cycle order), `per_word` elements
    /// to a bank word.
    pub fn of(events: &[GlbEvent], per_word: u64) -> BankTrace {
        let per_word = per_word.max(1);
        let mut cycles = Vec::new();
        let mut at = 0;
        while at < events.len() {
            let t = events[at].cycle;
            let mut n = [0u64; STREAMS];
            while at < events.len() && events[at].cycle == t {
                let s = match events[at].what {
                    GlbUse::Read(Net::Ifmap, _) => 0,
                    GlbUse::Read(Net::Filter, _) => 1,
                    GlbUse::Read(Net::Psum, _) => 2,
                    GlbUse::Write(_) => 3,
                };
                n[s] += 1;
                at += 1;
            }
            let w = n.map(|k| k.div_ceil(per_word));
            cycles.push((t, [w[0], w[2] + w[3], w[1]]));
        }
        BankTrace { cycles }
    }

    /// Cycles with an access.
    pub fn len(&self) -> usize {
        self.cycles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cycles.is_empty()
    }

    /// Cycles the array stalls on busy banks with `banks` per region: in
    /// each cycle, the rounds its most crowded region needs beyond the
    /// first (each bank serves one word per round).
    pub fn stall_cycles(&self, banks: RegionBanks) -> u64 {
        let b = [banks.ifmap, banks.psum, banks.filter].map(|b| b.max(1));
        self.cycles
            .iter()
            .map(|(_, w)| {
                (0..3)
                    .map(|r| w[r].div_ceil(b[r]))
                    .max()
                    .unwrap_or(1)
                    .max(1)
                    - 1
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::SrcKind;

    fn ev(cycle: u64, what: GlbUse) -> GlbEvent {
        GlbEvent { cycle, what }
    }

    fn read(cycle: u64, net: Net) -> GlbEvent {
        ev(cycle, GlbUse::Read(net, Src::new(SrcKind::Ifmap, 0, 0)))
    }

    fn banks(ifmap: u64, psum: u64, filter: u64) -> RegionBanks {
        RegionBanks {
            ifmap,
            psum,
            filter,
        }
    }

    #[test]
    fn a_word_of_elements_is_one_access() {
        // Four ifmap elements in one cycle fill one 4-element word; a fifth
        // needs a second.
        let four: Vec<GlbEvent> = (0..4).map(|_| read(0, Net::Ifmap)).collect();
        assert_eq!(BankTrace::of(&four, 4).stall_cycles(banks(1, 1, 1)), 0);
        let mut five = four.clone();
        five.push(read(0, Net::Ifmap));
        let t = BankTrace::of(&five, 4);
        assert_eq!(t.len(), 1);
        assert_eq!(t.stall_cycles(banks(1, 1, 1)), 1);
        assert_eq!(t.stall_cycles(banks(2, 1, 1)), 0);
    }

    #[test]
    fn psum_reads_and_writes_share_their_region() {
        let ev = [
            read(5, Net::Psum),
            ev(5, GlbUse::Write(0)),
            // The ifmap region's banks work in the same cycle.
            read(5, Net::Ifmap),
            read(7, Net::Filter),
            read(7, Net::Filter),
        ];
        let t = BankTrace::of(&ev, 1);
        assert_eq!(t.len(), 2);
        assert_eq!(t.stall_cycles(banks(1, 1, 2)), 1);
        assert_eq!(t.stall_cycles(banks(1, 2, 2)), 0);
        // Two filter words on one filter bank: one more round.
        assert_eq!(t.stall_cycles(banks(1, 2, 1)), 1);
        assert_eq!(t.stall_cycles(banks(1, 1, 1)), 2);
    }
}

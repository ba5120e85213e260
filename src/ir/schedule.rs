//! The mapped form of one 2-D convolution: a logical PE set with, for each
//! PE, its preloaded scratchpad contents and its control word for every cycle.
//! Mapping passes build it; `lower` compresses it into bytecode.

use super::{Delivery, OutKind, Src};
use crate::model::Hw;

/// The control of one PE for one cycle.
///
/// Timing contract (the same as the original's signals, with the mux entry
/// already aligned to the cycle that uses it):
/// - `ifm`/`fil`: scratchpad addresses read this cycle; their product reaches
///   the adder `pipeline.mul` cycles later.
/// - `psum_rd`: psum-scratchpad address added this cycle.
/// - `take_in`: the mux passes the psum arriving from the PE below (popped
///   from IN_PSUM) instead of the multiplier's output.
/// - `push`: the adder's result is pushed into OUT_PSUM.
/// - `psum_wr`: the adder's result is written to that psum address.
/// - `out`: at the start of this cycle the array pops this PE's OUT_PSUM and
///   writes it to the global buffer as output element `out` (row-major index
///   into the pass's output tensor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Word {
    pub ifm: Slot,
    pub fil: Slot,
    pub psum_rd: Slot,
    pub psum_wr: Slot,
    pub take_in: bool,
    pub push: bool,
    pub out: Slot,
}

/// A scratchpad address or output index, or none: an `Option<u32>` in
/// four bytes instead of eight, because a streamed set's dense words are
/// most of its memory (a `Word` is 24 bytes instead of 44). `u32::MAX` is
/// the none value; no address or output index reaches it (the sizes are
/// bounded far below by `MAX_PE_CYCLES` and the rf sizes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot(u32);

impl Slot {
    pub const NONE: Slot = Slot(u32::MAX);

    pub fn new(v: u32) -> Slot {
        debug_assert!(v != u32::MAX, "a slot value collides with the none value");
        Slot(v)
    }
    pub fn get(self) -> Option<u32> {
        (self.0 != u32::MAX).then_some(self.0)
    }
    pub fn is_some(self) -> bool {
        self.0 != u32::MAX
    }
    pub fn is_none(self) -> bool {
        self.0 == u32::MAX
    }
    /// `self` if it holds a value, else `other` (as `Option::or`).
    pub fn or(self, other: Slot) -> Slot {
        if self.is_some() {
            self
        } else {
            other
        }
    }
}

impl Default for Slot {
    fn default() -> Slot {
        Slot::NONE
    }
}

impl From<Option<u32>> for Slot {
    fn from(v: Option<u32>) -> Slot {
        v.map_or(Slot::NONE, Slot::new)
    }
}

/// Printed as the `Option<u32>` it stands for.
impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl Word {
    pub fn is_idle(&self) -> bool {
        *self == Word::default()
    }

    /// A multiplication is issued this cycle.
    pub fn is_mac(&self) -> bool {
        self.ifm.is_some() && self.fil.is_some()
    }
}

/// One PE of a logical set: what is preloaded, and what it does each cycle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeSchedule {
    pub ifmap_init: Vec<Src>,
    pub filter_init: Vec<Src>,
    /// Psum scratchpad entries the schedule uses.
    pub psum_entries: u32,
    pub words: Vec<Word>,
    /// Multicast groups of the ifmap-side and filter-side networks this PE
    /// listens to.
    pub ifmap_groups: Vec<u32>,
    pub filter_groups: Vec<u32>,
    /// Scratchpad entries when the contents arrive over the networks
    /// (physical passes); 0 when the scratchpads are preloaded and sized by
    /// their contents.
    pub ifmap_capacity: u32,
    pub filter_capacity: u32,
}

impl PeSchedule {
    /// A copy with no words, for a pass that builds them anew.
    pub fn without_words(&self) -> PeSchedule {
        PeSchedule {
            ifmap_init: self.ifmap_init.clone(),
            filter_init: self.filter_init.clone(),
            psum_entries: self.psum_entries,
            words: Vec::new(),
            ifmap_groups: self.ifmap_groups.clone(),
            filter_groups: self.filter_groups.clone(),
            ifmap_capacity: self.ifmap_capacity,
            filter_capacity: self.filter_capacity,
        }
    }

    /// Ifmap-side scratchpad entries the schedule may address.
    pub fn ifmap_entries(&self) -> usize {
        self.ifmap_init.len().max(self.ifmap_capacity as usize)
    }
    /// Filter-side scratchpad entries the schedule may address.
    pub fn filter_entries(&self) -> usize {
        self.filter_init.len().max(self.filter_capacity as usize)
    }
}

/// How a 2-D convolution was placed on its logical PE set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Placement {
    /// One line per placement rule, for `--emit ir`.
    pub rules: Vec<String>,
}

/// A logical PE set running one 2-D convolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalSet {
    pub rows: u32,
    pub cols: u32,
    /// Row-major: PE (x, y) is `pes[x * cols + y]`. Row 0 is the top row,
    /// which is nearest to the global buffer; psums flow upward.
    pub pes: Vec<PeSchedule>,
    pub out_kind: OutKind,
    pub out_shape: Hw,
    /// Output elements that the schedule writes (the rest are structurally
    /// zero, e.g. gradient elements no product reaches when K < s).
    pub placement: Placement,
    /// Multiplications the mapped convolution needs (analytic count,
    /// inserted zeros included), to check the schedule against.
    pub analytic_macs: u64,
    /// Scratchpad contents sent over the networks during the pass, in cycle
    /// order (empty when the scratchpads are preloaded).
    pub deliveries: Vec<Delivery>,
    /// How a physical pass was timed to let the networks keep up.
    pub stream: Option<StreamTiming>,
    /// PE rows below row 0 whose psums go to the global buffer rather than
    /// up the column (the top rows of sets stacked under another set in a
    /// whole-layer processing pass); empty: only row 0 writes.
    pub top_rows: Vec<u32>,
    /// The Grad-Flow grouping the set was built with (`None` for a
    /// row-stationary set). The grouping is an option of `gflow-map`, not
    /// of the module; the set records it so that what reads a mapped set
    /// later (`gflow-fit`, also when `passes::refit` continues a compiled
    /// module, and the reports) sees the grouping of that set.
    pub gflow_group: Option<i64>,
}

/// The timing a physical pass settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StreamTiming {
    /// Cycles per window, and the least the schedule allows (taps + 1).
    pub window_period: u64,
    pub min_window_period: u64,
    /// Cycles the first reads wait for data.
    pub start: u64,
    /// Ifmap scratchpad entries used as a ring.
    pub ifmap_ring: u64,
}

impl LogicalSet {
    /// A copy whose PEs have no words, for a pass that builds them anew.
    pub fn without_words(&self) -> LogicalSet {
        LogicalSet {
            rows: self.rows,
            cols: self.cols,
            pes: self.pes.iter().map(PeSchedule::without_words).collect(),
            out_kind: self.out_kind,
            out_shape: self.out_shape,
            placement: self.placement.clone(),
            analytic_macs: self.analytic_macs,
            deliveries: self.deliveries.clone(),
            stream: self.stream,
            top_rows: self.top_rows.clone(),
            gflow_group: self.gflow_group,
        }
    }

    pub fn pe(&self, x: u32, y: u32) -> &PeSchedule {
        &self.pes[(x * self.cols + y) as usize]
    }

    /// Cycles of control: the longest PE program.
    pub fn length(&self) -> usize {
        self.pes.iter().map(|p| p.words.len()).max().unwrap_or(0)
    }

    pub fn scheduled_macs(&self) -> u64 {
        self.pes
            .iter()
            .map(|p| p.words.iter().filter(|w| w.is_mac()).count() as u64)
            .sum()
    }
}

/// Placement of a logical set on the physical array.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Allocation {
    pub array: Hw,
    /// The logical set.
    pub set: Hw,
    /// Rows/columns of one physical piece after strip-mining.
    pub piece: Hw,
    /// Pieces the set's rows are folded into (partial sums of a folded column
    /// go through the global buffer between them).
    pub row_folds: u64,
    /// Pieces the set's columns are strip-mined into.
    pub col_folds: u64,
    /// Copies of a piece that fit on the array at once.
    pub replicas: u64,
    /// Active PEs when the array is full of pieces.
    pub active_pes: u64,
}

impl Allocation {
    pub fn pieces(&self) -> u64 {
        self.row_folds * self.col_folds
    }
}

/// What the networks must carry for one 2-D convolution, and whether the
/// scratchpads of the arch hold what the schedule keeps in them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NetworkPlan {
    /// Distinct tensor elements the global buffer sends (each multicast once).
    pub ifmap_sends: u64,
    pub filter_sends: u64,
    /// Elements PEs receive (a multicast to k PEs counts k).
    pub ifmap_receives: u64,
    pub filter_receives: u64,
    /// Cycles to deliver them at the arch's network bandwidths.
    pub ifmap_cycles: u64,
    pub filter_cycles: u64,
    /// Outputs written to the global buffer, and the cycles that takes at
    /// `noc.ofmap` per cycle.
    pub ofmap_writes: u64,
    pub ofmap_cycles: u64,
    /// Largest scratchpad contents over PEs (entries).
    pub rf_ifmap_need: u64,
    pub rf_filter_need: u64,
    pub rf_psum_need: u64,
    /// Psums moved between PEs on the local network.
    pub psum_hops: u64,
}

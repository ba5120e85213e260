//! What one simulated 2-D convolution tells the layer model: the pieces the
//! allocation cuts the logical set into (with the distinct elements each
//! piece needs from the global buffer), the scratchpad needs of one
//! convolution, and the per-convolution counters of the cycle-accurate run.

use super::error::CostError;
use crate::ir::{Allocation, LogicalSet, Module, NetworkPlan, Src};
use crate::model::Hw;
use crate::options::Dataflow;
use crate::sim::PassOutcome;
use crate::sim::PeCounters;

/// One physical piece (a row fold of a column strip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Elements the global buffer sends the piece (ifmap-side /
    /// filter-side): each distinct non-zero value once when preloaded, each
    /// delivery when a scratchpad streams through a ring.
    pub ifmap: u64,
    pub filter: u64,
    /// Most of them the global buffer must hold at once while the piece
    /// runs: all of them when preloaded, the live window when streamed.
    pub ifmap_live: u64,
    pub filter_live: u64,
}

/// A column strip: its row-fold pieces and what the whole strip needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strip {
    pub pieces: Vec<Piece>,
    /// Distinct elements over all of the strip's pieces (what the global
    /// buffer must hold for one slice while the strip runs).
    pub ifmap: u64,
    pub filter: u64,
    /// Most of them held at once (see [`Piece`]).
    pub ifmap_live: u64,
    pub filter_live: u64,
    /// Output elements the strip writes.
    pub outputs: u64,
}

/// Everything per 2-D convolution that the layer model scales.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    pub strips: Vec<Strip>,
    pub alloc: Allocation,
    pub plan: NetworkPlan,
    /// Scratchpad entries one convolution needs per PE (before the n, p, q
    /// interleaving multiplies them).
    pub need_ifmap: u64,
    pub need_filter: u64,
    pub need_psum: u64,
    /// Row-stationary filter rows longer than the ifmap scratchpad are cut
    /// into `chunks` pieces of at most `need_ifmap` taps; each chunk streams
    /// its part of the ifmap row through the PE again (1 = no cutting).
    pub chunks: u64,
    /// Ifmap-side elements the PEs of one convolution receive (non-zero)
    /// and write into their scratchpads (zeros included), chunks included.
    pub ifmap_receives: u64,
    pub ifmap_rf_writes: u64,
    /// Cycles of one simulated 2-D convolution (control, drain, +1).
    pub conv_cycles: u64,
    /// Cycles of control of the simulated 2-D convolution: the array's
    /// compute time, outputs leaving as they complete.
    pub conv_compute_cycles: u64,
    /// Sum of the per-PE counters of the run.
    pub counters: PeCounters,
    /// Row-stationary only: how the simulated convolution's control splits
    /// into a fixed part and its windows, so p filters and q channels can be
    /// interleaved inside a PE (`None`: convolutions run one after another).
    pub interleave: Option<Interleave>,
}

/// The shape of a row-stationary schedule: `overhead + windows x period`
/// cycles of control, `period = taps x add + 1` (one cycle for the psum
/// from below). A PE holding p filters and q channels runs, per window, p
/// psums of q x taps products each: `overhead + windows x p x (q x taps x
/// add + 1)` (JSSC 2017, section IV-A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interleave {
    pub overhead: u64,
    pub windows: u64,
    pub taps: u64,
    pub add: u64,
}

impl Interleave {
    /// Cycles of control of one pass of a set holding `p` filters and `q`
    /// channels.
    pub fn cycles(&self, p: u128, q: u128) -> u128 {
        self.overhead as u128
            + self.windows as u128 * p * (q * self.taps as u128 * self.add as u128 + 1)
    }
}

fn interleave(m: &Module, chunks: u64, length: u64) -> Option<Interleave> {
    if m.dataflow != Dataflow::Rs || m.physical || chunks > 1 {
        return None;
    }
    let g = m.graph.as_ref()?;
    let (stride, x, k, _) = g.conv()?;
    let (x, k) = (g.shape(x)?, g.shape(k)?);
    let windows = (x.w - k.w) / stride.w + 1;
    let add = m.arch.pipeline_add;
    let period = k.w * add + 1;
    Some(Interleave {
        overhead: length.saturating_sub(windows * period),
        windows,
        taps: k.w,
        add,
    })
}

impl Geometry {
    pub fn pieces(&self) -> u64 {
        self.strips.iter().map(|s| s.pieces.len() as u64).sum()
    }
    pub fn sum_piece_ifmap(&self) -> u128 {
        self.strips
            .iter()
            .flat_map(|s| &s.pieces)
            .map(|p| p.ifmap as u128)
            .sum()
    }
    pub fn sum_piece_filter(&self) -> u128 {
        self.strips
            .iter()
            .flat_map(|s| &s.pieces)
            .map(|p| p.filter as u128)
            .sum()
    }
    pub fn sum_strip_ifmap(&self) -> u128 {
        self.strips.iter().map(|s| s.ifmap as u128).sum()
    }
    pub fn sum_strip_filter(&self) -> u128 {
        self.strips.iter().map(|s| s.filter as u128).sum()
    }
    /// Global-buffer footprints (elements held at once) of the largest
    /// strip and piece.
    pub fn max_strip_ifmap(&self) -> u64 {
        self.strips.iter().map(|s| s.ifmap_live).max().unwrap_or(0)
    }
    pub fn max_strip_filter(&self) -> u64 {
        self.strips.iter().map(|s| s.filter_live).max().unwrap_or(0)
    }
    pub fn max_piece_ifmap(&self) -> u64 {
        self.strips
            .iter()
            .flat_map(|s| &s.pieces)
            .map(|p| p.ifmap_live)
            .max()
            .unwrap_or(0)
    }
    pub fn max_piece_filter(&self) -> u64 {
        self.strips
            .iter()
            .flat_map(|s| &s.pieces)
            .map(|p| p.filter_live)
            .max()
            .unwrap_or(0)
    }
    /// Elements read from DRAM per slice: a strip's distinct elements if
    /// `slices` slices of the strip fit in `cap` elements (kept across its
    /// row folds), else each row-fold piece's own.
    pub fn dram_per_slice(&self, filter: bool, slices: u128, cap: u128) -> u128 {
        self.strips
            .iter()
            .map(|s| {
                let (u, live, per) = if filter {
                    (
                        s.filter,
                        s.filter_live,
                        s.pieces.iter().map(|p| p.filter as u128).sum::<u128>(),
                    )
                } else {
                    (
                        s.ifmap,
                        s.ifmap_live,
                        s.pieces.iter().map(|p| p.ifmap as u128).sum::<u128>(),
                    )
                };
                if slices * live as u128 <= cap {
                    u as u128
                } else {
                    per
                }
            })
            .sum()
    }
    pub fn outputs(&self) -> u128 {
        self.strips.iter().map(|s| s.outputs as u128).sum()
    }
}

fn internal(what: &'static str) -> CostError {
    CostError::MissingPart { what }
}

use crate::ir::fold_range as range;

fn distinct<'a>(it: impl Iterator<Item = &'a Src>) -> u64 {
    // Each source as one integer (kind, row, column): sorting those is
    // about twice as fast as sorting the structs field by field.
    let key = |s: &Src| (s.kind as u128) << 64 | (s.r as u128) << 32 | s.c as u128;
    let mut v: Vec<u128> = it.filter(|s| !s.is_zero()).map(key).collect();
    v.sort_unstable();
    v.dedup();
    v.len() as u64
}

/// Ifmap row ranges a PE streams, one per chunk of its filter row and group
/// of output windows.
#[derive(Debug, Clone, Copy)]
struct Chunks {
    count: u64,
    taps: u64,
    windows: u64,
    stride: u64,
    /// Output windows whose psums the PE holds at once while the chunks add
    /// up (all of them when they fit the psum scratchpad).
    group: u64,
}

impl Chunks {
    fn ranges(&self, len: usize) -> Vec<std::ops::Range<usize>> {
        if self.count <= 1 {
            return std::iter::once(0..len).collect();
        }
        let size = self.taps.div_ceil(self.count);
        let group = self.group.clamp(1, self.windows.max(1));
        let groups = self.windows.max(1).div_ceil(group);
        (0..groups)
            .flat_map(|gi| {
                let w0 = gi * group;
                let w1 = ((gi + 1) * group).min(self.windows.max(1));
                (0..self.count).map(move |j| {
                    let a = (j * size).min(self.taps);
                    let b = ((j + 1) * size).min(self.taps);
                    if b <= a {
                        return 0..0;
                    }
                    let start = a + w0 * self.stride;
                    let end = b + (w1 - 1) * self.stride;
                    (start as usize).min(len)..(end as usize).min(len)
                })
            })
            .collect()
    }
}

/// Distinct non-zero ifmap sources of `pes`, summed over chunk passes.
fn chunk_sends(pes: &[&crate::ir::PeSchedule], ch: &Chunks) -> u64 {
    if ch.count <= 1 {
        return distinct(pes.iter().flat_map(|p| &p.ifmap_init));
    }
    // Each PE's ranges once; pass j of every PE is its j-th range.
    let ranges: Vec<Vec<std::ops::Range<usize>>> =
        pes.iter().map(|p| ch.ranges(p.ifmap_init.len())).collect();
    let passes = ranges.first().map_or(0, Vec::len);
    (0..passes)
        .map(|j| {
            distinct(
                pes.iter()
                    .zip(&ranges)
                    .flat_map(|(p, r)| &p.ifmap_init[r[j].clone()]),
            )
        })
        .sum()
}

/// The deliveries of a streamed set, per PE and network, as ranks: rank
/// order is the deliveries' (value, cycle, index) order, so a group of PEs
/// sorts plain ranks instead of triples.
struct Streamed {
    ifmap: Vec<Vec<u32>>,
    filter: Vec<Vec<u32>>,
    /// By rank: the delivery's value (as a sort key) and cycle.
    ranked: Vec<(u64, u32)>,
    /// Some delivery is networked (a streamed set).
    any: bool,
}

impl Streamed {
    fn of(set: &LogicalSet) -> Streamed {
        let key = |s: Src| ((s.kind as u64) << 56) | ((s.r as u64) << 28) | s.c as u64;
        let mut order: Vec<(u64, u32, u32)> = set
            .deliveries
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.local)
            .map(|(k, d)| (key(d.src), d.cycle, k as u32))
            .collect();
        order.sort_unstable();
        let mut rank = vec![u32::MAX; set.deliveries.len()];
        for (r, &(_, _, k)) in order.iter().enumerate() {
            rank[k as usize] = r as u32;
        }
        let mut s = Streamed {
            ifmap: vec![Vec::new(); set.pes.len()],
            filter: vec![Vec::new(); set.pes.len()],
            ranked: order.iter().map(|&(v, c, _)| (v, c)).collect(),
            any: !order.is_empty(),
        };
        for (k, d) in set.deliveries.iter().enumerate() {
            if d.local {
                continue;
            }
            let r = rank[k];
            let per = match d.net {
                crate::ir::Net::Ifmap => &mut s.ifmap,
                crate::ir::Net::Filter => &mut s.filter,
                // Returning psums are not scratchpad contents of a piece.
                crate::ir::Net::Psum => continue,
            };
            for &(pe, _) in &d.targets {
                if let Some(v) = per.get_mut(pe as usize) {
                    if v.last() != Some(&r) {
                        v.push(r);
                    }
                }
            }
        }
        s
    }

    /// What the PEs `idx` get on one side over the pass: the sends (each
    /// delivery reaching any of them once, each distinct preloaded value
    /// once), the distinct values, and the most of them the global buffer
    /// holds at once (a preloaded value for the whole pass, a delivered one
    /// from its first delivery to its last). One sort of the deliveries'
    /// ranks answers all three.
    fn side(&self, set: &LogicalSet, ifmap: bool, idx: &[usize]) -> Side {
        let per = if ifmap { &self.ifmap } else { &self.filter };
        let pre = distinct(idx.iter().flat_map(|&i| {
            let p = &set.pes[i];
            if ifmap {
                &p.ifmap_init
            } else {
                &p.filter_init
            }
        }));
        let mut at: Vec<u32> = idx.iter().flat_map(|&i| &per[i]).copied().collect();
        at.sort_unstable();
        at.dedup();
        let ranked = |r: u32| self.ranked[r as usize];
        let mut edges: Vec<(u32, i64)> = Vec::new();
        let mut values = 0u64;
        for run in at.chunk_by(|&a, &b| ranked(a).0 == ranked(b).0) {
            values += 1;
            edges.push((ranked(run[0]).1, 1));
            edges.push((ranked(run[run.len() - 1]).1 + 1, -1));
        }
        edges.sort_unstable();
        let (mut now, mut most) = (0i64, 0i64);
        for (_, d) in edges {
            now += d;
            most = most.max(now);
        }
        Side {
            sends: pre + at.len() as u64,
            values: pre + values,
            live: pre + most as u64,
        }
    }
}

/// One side of a group of PEs, see [`Streamed::side`].
#[derive(Debug, Clone, Copy)]
struct Side {
    sends: u64,
    values: u64,
    live: u64,
}

fn strips(set: &LogicalSet, alloc: &Allocation, ch: &Chunks) -> Vec<Strip> {
    let (rows, cols) = (set.rows as u64, set.cols as u64);
    let piece = Hw::new(alloc.piece.h.max(1), alloc.piece.w.max(1));
    let streamed = Streamed::of(set);
    let pes_in = |rr: std::ops::Range<u64>, cr: std::ops::Range<u64>| {
        let v: Vec<usize> = rr
            .flat_map(|x| cr.clone().map(move |y| (x * cols + y) as usize))
            .collect();
        v
    };
    // A preloaded side's sends are its distinct values (row-stationary
    // chunks streamed again counted per chunk), all held for the pass.
    let sides = |idx: &[usize], chunks: Option<&Chunks>| {
        if streamed.any {
            return (
                streamed.side(set, true, idx),
                streamed.side(set, false, idx),
            );
        }
        let pes: Vec<_> = idx.iter().map(|&i| &set.pes[i]).collect();
        let i = distinct(pes.iter().flat_map(|p| &p.ifmap_init));
        let f = distinct(pes.iter().flat_map(|p| &p.filter_init));
        let i_sends = chunks.map_or(i, |ch| chunk_sends(&pes, ch));
        (
            Side {
                sends: i_sends,
                values: i,
                live: i_sends,
            },
            Side {
                sends: f,
                values: f,
                live: f,
            },
        )
    };
    (0..alloc.col_folds)
        .map(|cf| {
            let cr = range(cf, piece.w, cols);
            let pieces: Vec<Piece> = (0..alloc.row_folds)
                .map(|rf| {
                    let (i, f) = sides(&pes_in(range(rf, piece.h, rows), cr.clone()), Some(ch));
                    Piece {
                        ifmap: i.sends,
                        filter: f.sends,
                        ifmap_live: i.live,
                        filter_live: f.live,
                    }
                })
                .collect();
            let all = pes_in(0..rows, cr);
            let (i, f) = sides(&all, None);
            Strip {
                pieces,
                ifmap: i.values,
                filter: f.values,
                ifmap_live: if streamed.any { i.live } else { i.values },
                filter_live: if streamed.any { f.live } else { f.values },
                outputs: all
                    .iter()
                    .map(|&i| set.pes[i].words.iter().filter(|w| w.out.is_some()).count() as u64)
                    .sum(),
            }
        })
        .collect()
}

fn sum_counters(pes: &[PeCounters]) -> PeCounters {
    let mut s = PeCounters::default();
    for p in pes {
        s.macs += p.macs;
        s.zero_macs += p.zero_macs;
        s.adds += p.adds;
        s.ifmap_reads += p.ifmap_reads;
        s.ifmap_writes += p.ifmap_writes;
        s.filter_reads += p.filter_reads;
        s.filter_writes += p.filter_writes;
        s.psum_reads += p.psum_reads;
        s.psum_writes += p.psum_writes;
        s.in_psum_puts += p.in_psum_puts;
        s.in_psum_gets += p.in_psum_gets;
        s.out_psum_puts += p.out_psum_puts;
        s.out_psum_gets += p.out_psum_gets;
        s.glb_writes += p.glb_writes;
    }
    s
}

/// Scratchpad entries per PE of one 2-D convolution. Row-stationary: the
/// Eyeriss PE keeps a sliding window of one filter row's length of ifmap
/// values, that filter row, and one psum (the simulator preloads whole
/// rows instead, which the chip's 12-entry ifmap scratchpad could not
/// hold). Grad-Flow: what its schedule keeps (the plan's needs).
///
/// A row-stationary filter row longer than the ifmap scratchpad is cut into
/// the fewest chunks whose window fits; the PE then keeps one psum per
/// output window while the chunks add up, for at most `rf.psum` windows at
/// a time: the windows are taken in groups that fit the psum scratchpad,
/// and each group streams its part of the ifmap row once per chunk.
fn needs(m: &Module, set: &LogicalSet, plan: &NetworkPlan) -> ((u64, u64, u64), Chunks) {
    let taps = plan.rf_filter_need.max(1);
    let windows = set.out_shape.w;
    let stride = if m.pass == crate::options::PassKind::Forward {
        m.layer.stride.w
    } else {
        1
    };
    let one = Chunks {
        count: 1,
        taps,
        windows,
        stride,
        group: windows,
    };
    // A compiled module is row-stationary or Grad-Flow: `rs-split` and
    // `auto` compile row-stationary layers (the backend decides).
    match m.dataflow {
        Dataflow::Rs | Dataflow::RsSplit | Dataflow::Auto => {
            let count = taps.div_ceil(m.arch.rf_ifmap.max(1)).max(1);
            if count == 1 {
                return ((taps, taps, 1), one);
            }
            let window = taps.div_ceil(count);
            let group = windows.clamp(1, m.arch.rf_psum.max(1));
            (
                (window, window, group),
                Chunks {
                    count,
                    group,
                    ..one
                },
            )
        }
        Dataflow::Gflow => (
            (
                plan.rf_ifmap_need,
                plan.rf_filter_need,
                plan.rf_psum_need.max(1),
            ),
            one,
        ),
    }
}

pub fn geometry(o: &PassOutcome) -> Result<Geometry, CostError> {
    let alloc = o
        .module
        .alloc
        .clone()
        .ok_or_else(|| internal("no allocation"))?;
    geometry_with(o, alloc)
}

/// The geometry of the simulated convolution under another allocation
/// (another strip width).
pub fn geometry_with(o: &PassOutcome, alloc: Allocation) -> Result<Geometry, CostError> {
    let m = &o.module;
    let set = m.set.as_ref().ok_or_else(|| internal("no PE set"))?;
    let plan = m.plan.clone().ok_or_else(|| internal("no network plan"))?;
    if set.pes.len() as u64 != set.rows as u64 * set.cols as u64 {
        return Err(internal("PE set size does not match its shape"));
    }
    let ((need_ifmap, need_filter, need_psum), ch) = needs(m, set, &plan);
    let counters = sum_counters(&o.run.pes);
    let (ifmap_receives, ifmap_rf_writes) = if ch.count <= 1 {
        (plan.ifmap_receives, counters.ifmap_writes)
    } else {
        let mut rec = 0u64;
        let mut wr = 0u64;
        for p in &set.pes {
            for r in ch.ranges(p.ifmap_init.len()) {
                rec += p.ifmap_init[r.clone()]
                    .iter()
                    .filter(|s| !s.is_zero())
                    .count() as u64;
                wr += r.len() as u64;
            }
        }
        (rec, wr)
    };
    Ok(Geometry {
        strips: strips(set, &alloc, &ch),
        chunks: ch.count,
        ifmap_receives,
        ifmap_rf_writes,
        need_ifmap: need_ifmap.max(1),
        need_filter: need_filter.max(1),
        need_psum,
        conv_cycles: o.run.cycles(),
        conv_compute_cycles: o.run.length,
        interleave: interleave(m, ch.count, o.run.length),
        counters,
        alloc,
        plan,
    })
}

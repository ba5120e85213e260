//! One processing pass of a row-stationary layer on the physical array, as
//! the layer's mapping puts it there: a piece of the set (kernel rows
//! `x0..x1` x output rows `y0..y1`), `n` images one after another, `p`
//! filters and `q` channels interleaved inside every PE (JSSC 2017 §IV-A),
//! `t` sets holding different filters side by side and, with
//! `psum_across_sets`, `r` sets holding different channels stacked in one
//! column so that their psums add up on the way to the global buffer.
//!
//! Every PE streams its `q` input rows through rings of its ifmap
//! scratchpad and keeps `p·q` filter rows; partial sums of earlier passes
//! (other channels, other kernel rows) return from the global buffer on
//! the psum network into the bottom row's psum scratchpad; the top row of
//! each column writes outputs over the ofmap network. The window period
//! and the start are the smallest an earliest-deadline-first schedule of
//! every network's deliveries can feed.
//!
//! The values of many 2-D slices meet in one pass, so a source names its
//! slice by a *plane*: rows `plane·PLANE_ROWS ..` of the stacked sources
//! (see `ir::plane_src`); the caller binds each plane to the layer's tensors.

use super::deliver::{edf_lateness, edf_sorted, Item, Items};
use std::collections::HashMap;

use super::lower::{Codes, Placed};
use crate::bytecode::{compress_deliveries, compress_init, PeEntry, Program, VERSION};
use crate::ir::{plane_src, PassShape, SrcMatrix, StreamTiming, Word};
use crate::ir::{Net, OutKind, Slot, Src, SrcKind};
use crate::model::{Arch, Hw};

/// When each PE row of a chain does what. A window (one output column of
/// one image) runs its taps outer and its `p` filters inner, so a tap's
/// input value is used by every filter at once and its ring slot frees
/// early (the chip's p interleaving: p psums live in the psum scratchpad);
/// then each filter's psum takes the psum from below and goes up. Rows are
/// skewed by the adder latency so a psum arrives as the row above takes it.
#[derive(Debug, Clone, Copy)]
struct Lay {
    rows: u64,
    /// Windows: images x output columns.
    windows: u64,
    /// Taps per window (q channels x kernel row) and filters.
    taps: u64,
    p: u64,
    /// Cycles between a filter's consecutive taps: at least the adder
    /// latency, so each tap finds the previous sum stored.
    pp: u64,
    period: u64,
    mul: u64,
    add: u64,
    start: u64,
}

impl Lay {
    fn min_period(taps: u64, p: u64, add: u64) -> u64 {
        taps * p.max(add) + p
    }
    fn begin(&self, x: u64, w: u64) -> u64 {
        self.start + (self.rows - 1 - x) * self.add + w * self.period
    }
    /// Read of tap `u` of filter `f` in window `w`.
    fn read(&self, x: u64, w: u64, u: u64, f: u64) -> u64 {
        self.begin(x, w) + u * self.pp + f
    }
    /// The cycle filter `f`'s psum of window `w` is read back (with the
    /// psum from below, except in the bottom row) to go up.
    fn take(&self, x: u64, w: u64, f: u64) -> u64 {
        self.begin(x, w) + self.mul + self.taps * self.pp + f
    }
    fn push(&self, x: u64, w: u64, f: u64) -> u64 {
        self.take(x, w, f) + self.add - 1
    }
    fn length(&self) -> u64 {
        self.push(0, self.windows - 1, self.p - 1) + 2
    }
}

/// One column of stacked sets (one filter set) on the array.
#[derive(Debug, Clone, Copy)]
struct Chain {
    ti: u64,
    /// Array position of its top-left PE.
    row0: u64,
    col0: u64,
    filters: u64,
    lay: Lay,
}

/// The pass's problem and where its chains sit.
struct Geometry<'a> {
    x: &'a SrcMatrix,
    k: &'a SrcMatrix,
    stride: Hw,
    shape: &'a PassShape,
    /// Rows per set, taps per kernel row, windows per output row.
    rp: u64,
    taps: u64,
    windows: u64,
    /// Columns of the array the pass uses.
    cols: u64,
    ring: u64,
    /// Sets of `p` psum slots windows rotate through (more than one when
    /// the psum scratchpad holds them: returning psums then have a longer
    /// window to arrive in).
    banks: u64,
    mul: u64,
    /// IN_PSUM queue entries.
    depth: u64,
}

impl Geometry<'_> {
    fn psum_slot(&self, w: u64, f: u64) -> u32 {
        ((w % self.banks) * self.shape.p() + f) as u32
    }
    fn chain_rows(&self) -> u64 {
        self.rp * self.shape.channels.len() as u64
    }
    fn width(&self) -> u64 {
        self.shape.out_rows.1 - self.shape.out_rows.0
    }
    fn pe(&self, ch: &Chain, xx: u64, y: u64) -> u32 {
        ((ch.row0 + xx) * self.cols + ch.col0 + y) as u32
    }
    /// Window `j` of image `img`.
    fn win(&self, img: u64, j: u64) -> u64 {
        img * self.windows + j
    }
    /// (first, last) read of input element `e` of image `img`, channel `c`
    /// by chain row `xx`, or `None` if no window reads it.
    fn uses(&self, ch: &Chain, xx: u64, img: u64, c: u64, e: u64) -> Option<(u64, u64)> {
        let (s, taps) = (self.stride.w, self.taps);
        let lo = if e + 1 >= taps {
            (e + 1 - taps).div_ceil(s)
        } else {
            0
        };
        let hi = (e / s).min(self.windows - 1);
        if lo > hi {
            return None;
        }
        let first = ch.lay.read(xx, self.win(img, lo), c * taps + e - lo * s, 0);
        let last = ch
            .lay
            .read(xx, self.win(img, hi), c * taps + e - hi * s, ch.filters - 1);
        Some((first, last))
    }
    /// Stream index of input element `e` of image `img`: its ring slot is
    /// this modulo the ring.
    fn stream(&self, img: u64, e: u64) -> u64 {
        img * self.x.w + e
    }
    /// When a ring slot frees for stream index `u` (read last by the
    /// previous occupant that some window reads), by chain row `xx`.
    fn release(&self, ch: &Chain, xx: u64, c: u64, u: u64) -> u64 {
        let mut prev = u;
        while prev >= self.ring {
            prev -= self.ring;
            let (img, e) = (prev / self.x.w, prev % self.x.w);
            if let Some((_, last)) = self.uses(ch, xx, img, c, e) {
                return last + 1;
            }
        }
        0
    }
}

/// One target's send window: (release, deadline, (PE, address)).
type Window = (u64, u64, (u32, u32));

fn items(g: &Geometry, chains: &[Chain]) -> Items {
    let sh = g.shape;
    let (x0, _) = sh.kernel_rows;
    let (y0, _) = sh.out_rows;
    let q = sh.q();
    // Room for every filter row item and returning psum, and one item per
    // input element and channel (more where a multicast splits): growing
    // the vector from empty copied it over and over.
    let filters: u64 = chains.iter().map(|c| c.filters).sum();
    let filter_items = filters * sh.channels.len() as u64 * g.rp * q * g.taps;
    let psum_items = if sh.incoming {
        filters * g.width() * sh.images * g.windows
    } else {
        0
    };
    let input_rows =
        sh.kernel_rows.1.saturating_sub(x0) + sh.out_rows.1.saturating_sub(y0 + 1) * g.stride.h;
    let input_items = sh.channels.len() as u64 * q * sh.images * input_rows * g.x.w;
    // Targets: a filter row goes to every PE of its chain row, a returning
    // psum to one PE, an input element to at least one.
    let mut out = Items::with_capacity(
        (filter_items + psum_items + input_items) as usize,
        (filter_items * g.width() + psum_items + input_items) as usize,
    );
    // Filter rows: stationary for the whole pass, multicast along a chain row.
    for ch in chains {
        for (ri, _) in sh.channels.iter().enumerate() {
            for lx in 0..g.rp {
                let xx = ri as u64 * g.rp + lx;
                for f in 0..ch.filters {
                    for c in 0..q {
                        for i in 0..g.taps {
                            let src = if c < sh.channels[ri] {
                                plane_src(
                                    g.k.at(x0 + lx, i),
                                    sh.filter_plane(ch.ti, f, ri as u64, c),
                                )
                            } else {
                                Src::ZERO
                            };
                            let addr = ((f * q + c) * g.taps + i) as u32;
                            out.push(
                                Net::Filter,
                                src,
                                0,
                                ch.lay.read(xx, 0, c * g.taps + i, f),
                                (0..g.width()).map(|y| (g.pe(ch, xx, y), addr)),
                            );
                        }
                    }
                }
            }
        }
    }
    let mut classes: Vec<(u64, Vec<Window>)> = Vec::new();
    // Input rows: element e of input row r of a channel, multicast to the
    // PEs (x, y) with x0 + x + (y0 + y)·s_h = r of every chain, into ring
    // slot (stream index mod ring) of that channel's ring. Chains whose
    // timing differs (an edge filter block) get their own send.
    for (ri, &held) in sh.channels.iter().enumerate() {
        for c in 0..q {
            for img in 0..sh.images {
                let rows_lo = x0 + y0 * g.stride.h;
                let rows_hi = (sh.kernel_rows.1 - 1) + (sh.out_rows.1 - 1) * g.stride.h;
                for r in rows_lo..=rows_hi {
                    let pes: Vec<(u64, u64)> = (0..g.rp)
                        .filter_map(|lx| {
                            let kr = x0 + lx;
                            let d = r.checked_sub(kr)?;
                            if d % g.stride.h != 0 {
                                return None;
                            }
                            let oy = d / g.stride.h;
                            (oy >= y0 && oy < sh.out_rows.1).then_some((lx, oy - y0))
                        })
                        .collect();
                    if pes.is_empty() {
                        continue;
                    }
                    for e in 0..g.x.w {
                        let src = if c < held {
                            plane_src(g.x.at(r, e), sh.ifmap_plane(img, ri as u64, c))
                        } else {
                            Src::ZERO
                        };
                        let u = g.stream(img, e);
                        let slot = (c * g.ring + u % g.ring) as u32;
                        // Per timing class (chains holding as many filters):
                        // each target's window (release, deadline). The
                        // classes come in the chains' order for every
                        // element, so one buffer serves them all.
                        for (_, wins) in classes.iter_mut() {
                            wins.clear();
                        }
                        for ch in chains {
                            let at = match classes.iter().position(|(p, _)| *p == ch.filters) {
                                Some(at) => at,
                                None => {
                                    classes.push((ch.filters, Vec::new()));
                                    classes.len() - 1
                                }
                            };
                            let wins = &mut classes[at].1;
                            for &(lx, y) in &pes {
                                let xx = ri as u64 * g.rp + lx;
                                let Some((first, _)) = g.uses(ch, xx, img, c, e) else {
                                    continue;
                                };
                                wins.push((
                                    g.release(ch, xx, c, u),
                                    first,
                                    (g.pe(ch, xx, y), slot),
                                ));
                            }
                        }
                        for (_, wins) in classes.iter().filter(|(_, w)| !w.is_empty()) {
                            let release = wins.iter().map(|w| w.0).max().unwrap_or(0);
                            let deadline = wins.iter().map(|w| w.1).min().unwrap_or(0);
                            // One multicast when one send fits every window;
                            // otherwise a send per PE.
                            if release <= deadline {
                                out.push(
                                    Net::Ifmap,
                                    src,
                                    release,
                                    deadline,
                                    wins.iter().map(|w| w.2),
                                );
                            } else {
                                for w in wins {
                                    out.push(Net::Ifmap, src, w.0, w.1, [w.2]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // Returning psums: one per output of the bottom row, into its IN_PSUM
    // queue (as a psum from below would come), by the cycle the row takes
    // it and not before the queue has room: the one `fifo.depth` earlier
    // must have been taken.
    if sh.incoming {
        let bottom = g.chain_rows() - 1;
        for ch in chains {
            for y in 0..g.width() {
                let pe = g.pe(ch, bottom, y);
                let mut takes = Vec::new();
                for img in 0..sh.images {
                    for j in 0..g.windows {
                        for f in 0..ch.filters {
                            let w = g.win(img, j);
                            let take = ch.lay.take(bottom, w, f);
                            let release = match takes.len().checked_sub(g.depth as usize) {
                                Some(k) => takes[k] + 1,
                                None => 0,
                            };
                            takes.push(take);
                            let src = Src::new(
                                SrcKind::Psum,
                                sh.out_plane(img, ch.ti, f),
                                y * g.windows + j,
                            );
                            out.push(Net::Psum, src, release, take, [(pe, 0)]);
                        }
                    }
                }
            }
        }
    }
    out
}

/// The delivery problem of a pass's items, per network, set up once for
/// every start the timing search tries: which items each network sends
/// and their (release, deadline) order. A later start moves every release
/// but 0 and every deadline by the same amount, so that order holds for
/// every start and is sorted once.
struct Timing<'a> {
    items: &'a [Item],
    nets: Nets,
}

/// Per network: its sends per cycle, its items, and their order.
type Nets = Vec<(u64, Vec<usize>, Vec<usize>)>;

impl<'a> Timing<'a> {
    fn new(items: &'a [Item], arch: &Arch) -> Timing<'a> {
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
    fn least_start(&self) -> u64 {
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
    fn schedule(&self, start: u64) -> Option<Vec<u64>> {
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
    fn windows(&self, idx: &[usize], start: u64) -> Option<Vec<(u64, u64)>> {
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
    fn lateness(&self, start: u64) -> Option<u64> {
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
    fn first_start(&self, late: u64) -> u64 {
        let least = self.least_start().min(late);
        match self.lateness(least) {
            Some(behind) => (least + behind).min(late),
            None => late,
        }
    }
}

/// Why a processing pass cannot be built on the arch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoFit(pub String);

/// The chains of a pass at a window period and start.
fn chains(g: &Geometry, arch: &Arch, period: u64, start: u64) -> Result<Vec<Chain>, NoFit> {
    let sh = g.shape;
    let per_col = (arch.array.h / g.chain_rows()).max(1);
    let sets = sh.filters.len() as u64;
    let col_groups = sets.div_ceil(per_col);
    if g.chain_rows() > arch.array.h || col_groups * g.width() > arch.array.w {
        return Err(NoFit(format!(
            "{sets} sets of {} x {} PEs do not fit the {} x {} array",
            g.chain_rows(),
            g.width(),
            arch.array.h,
            arch.array.w
        )));
    }
    Ok(sh
        .filters
        .iter()
        .enumerate()
        .map(|(ti, &filters)| {
            let ti = ti as u64;
            Chain {
                ti,
                row0: (ti % per_col) * g.chain_rows(),
                col0: (ti / per_col) * g.width(),
                filters,
                lay: Lay {
                    rows: g.chain_rows(),
                    windows: sh.images * g.windows,
                    taps: sh.q() * g.taps,
                    p: filters,
                    pp: sh.p().max(arch.pipeline_add),
                    period,
                    mul: arch.pipeline_mul,
                    add: arch.pipeline_add,
                    start,
                },
            }
        })
        .collect())
}

/// The words of one PE of a chain.
fn words(g: &Geometry, ch: &Chain, xx: u64, y: u64, length: usize) -> Vec<Word> {
    let lay = &ch.lay;
    let (mul, add) = (g.mul as usize, lay.add as usize);
    let q = g.shape.q();
    let bottom = lay.rows - 1;
    let incoming = g.shape.incoming && xx == bottom;
    let mut w = vec![Word::default(); length];
    for img in 0..g.shape.images {
        for j in 0..g.windows {
            let win = g.win(img, j);
            for f in 0..ch.filters {
                let slot = Slot::new(g.psum_slot(win, f));
                for u in 0..lay.taps {
                    let (c, i) = (u / g.taps, u % g.taps);
                    let at = lay.read(xx, win, u, f) as usize;
                    let e = g.stream(img, j * g.stride.w + i);
                    w[at].ifm = Slot::new((c * g.ring + e % g.ring) as u32);
                    w[at].fil = Slot::new(((f * q + c) * g.taps + i) as u32);
                    if u > 0 {
                        w[at + mul].psum_rd = slot;
                    }
                    w[at + mul + add - 1].psum_wr = slot;
                }
                // The sum is read back to go up, with the psum from below
                // (above the bottom row) or from the global buffer (the
                // bottom row of a pass that continues earlier sums) added.
                let take = lay.take(xx, win, f) as usize;
                w[take].psum_rd = slot;
                w[take].take_in = xx != bottom || incoming;
                let push = lay.push(xx, win, f) as usize;
                w[push].push = true;
                if xx == 0 {
                    let plane = g.shape.out_plane(img, ch.ti, f);
                    let o = (plane * g.width() + y) * g.windows + j;
                    w[push + 1].out = Slot::new(o as u32);
                }
            }
        }
    }
    w
}

/// A pass's chains and delivery items at one window period.
type Built = (Vec<Chain>, Items);

/// A processing pass built and lowered: its program, the timing its
/// deliveries settled on and the PEs it uses.
pub struct ProcessingPass {
    pub program: Program,
    pub timing: StreamTiming,
    pub pes_used: u64,
}

/// The processing pass `shape` of the 2-D problem `x` (ifmap side) and
/// `k` (filter side) on `arch`, with its deliveries timed, as bytecode.
pub fn rs_pass(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    out_kind: OutKind,
    arch: &Arch,
    shape: &PassShape,
) -> Result<ProcessingPass, NoFit> {
    let q = shape.q();
    let taps = k.w;
    let ring = (arch.rf_ifmap / q).min(x.w);
    if ring < taps {
        return Err(NoFit(format!(
            "{q} input windows of {taps} do not fit `rf.ifmap = {}`",
            arch.rf_ifmap
        )));
    }
    if shape.p() * q * taps > arch.rf_filter {
        return Err(NoFit(format!(
            "{} filter rows of {taps} do not fit `rf.filter = {}`",
            shape.p() * q,
            arch.rf_filter
        )));
    }
    let windows = (x.w - taps) / stride.w + 1;
    let cols_used = {
        let chain_rows = (shape.kernel_rows.1 - shape.kernel_rows.0) * shape.channels.len() as u64;
        let per_col = (arch.array.h / chain_rows.max(1)).max(1);
        (shape.filters.len() as u64).div_ceil(per_col) * (shape.out_rows.1 - shape.out_rows.0)
    };
    let g = Geometry {
        x,
        k,
        stride,
        shape,
        rp: shape.kernel_rows.1 - shape.kernel_rows.0,
        taps,
        windows,
        cols: cols_used,
        ring,
        banks: (arch.rf_psum / shape.p()).clamp(1, shape.images * windows),
        mul: arch.pipeline_mul,
        depth: arch.fifo_depth.max(1),
    };
    if shape.p() > arch.rf_psum {
        return Err(NoFit(format!(
            "{} psums do not fit `rf.psum = {}`",
            shape.p(),
            arch.rf_psum
        )));
    }
    let min_period = Lay::min_period(q * taps, shape.p(), arch.pipeline_add);
    // Items are built for a period at start 0; a later start shifts them
    // (`schedule`), so the search over starts builds them once.
    let build = |period: u64| -> Result<Built, NoFit> {
        let ch = chains(&g, arch, period, 0)?;
        let it = items(&g, &ch);
        Ok((ch, it))
    };
    // The least period's items, built once: most passes run at it.
    let first = build(min_period)?;
    // With this start every first send can happen before any read.
    let sends = {
        let it = first.1.list();
        let count = |n: Net| it.iter().filter(|i| i.net == n && !i.local).count() as u64;
        count(Net::Ifmap).div_ceil(arch.noc_ifmap.max(1))
            + count(Net::Filter).div_ceil(arch.noc_filter.max(1))
            + count(Net::Psum).div_ceil(arch.noc_psum.max(1))
    };
    let late = sends + 1;
    let first_timing = Timing::new(first.1.list(), arch);
    // How late the latest delivery is at a period with a late start (0:
    // every deadline met), `None` when some slot frees after its read.
    // The build of the last period that worked: the search ends on it, so
    // the pass is not built a second time.
    // (With its networks' sorted items, which the schedule needs again.)
    let kept: std::cell::RefCell<Option<(u64, Built, Nets)>> = Default::default();
    let late_by = |period: u64| -> Result<Option<u64>, NoFit> {
        if period == min_period {
            return Ok(first_timing.lateness(late));
        }
        let built = build(period)?;
        let timing = Timing::new(built.1.list(), arch);
        let behind = timing.lateness(late);
        if behind == Some(0) {
            let nets = timing.nets;
            *kept.borrow_mut() = Some((period, built, nets));
        }
        Ok(behind)
    };
    let works = |period: u64| -> Result<bool, NoFit> { Ok(late_by(period)? == Some(0)) };
    // The smallest period that works with a late start. A period longer
    // by every send of a window always leaves room for them (`cap`). The
    // search starts from the rate the busiest network must keep (its sends
    // that wait for a freed slot, over the pass's windows: where a pass is
    // bound by its deliveries, as returning psums on one element a cycle,
    // the period lands close to it). Above a period that fails, the next
    // guess spreads its lateness over the pass's windows (each window
    // longer moves the last deliveries' deadlines that much later); below
    // one that works it gallops down; the rest is halved. A period that
    // works leaves every longer one working, so this finds the same
    // period as a search from `min_period`.
    let cap = min_period + sends + g.chain_rows() + 1;
    let all_windows = (shape.images * windows).max(1);
    let guess = {
        let rate = |n: Net, bw: u64| {
            let waiting = first
                .1
                .list()
                .iter()
                .filter(|i| i.net == n && !i.local && i.release > 0);
            waiting.count() as u64 / bw.max(1) / all_windows
        };
        rate(Net::Ifmap, arch.noc_ifmap)
            .max(rate(Net::Filter, arch.noc_filter))
            .max(rate(Net::Psum, arch.noc_psum))
            .clamp(min_period, cap)
    };
    // Every period below `lo` fails; `hi` works.
    let (mut lo, mut hi) = (min_period, guess);
    let mut step = 1;
    loop {
        match late_by(hi)? {
            Some(0) => break,
            behind => {
                if hi >= cap {
                    return Err(NoFit(format!(
                        "the networks (`noc.ifmap = {}`, `noc.filter = {}`, `noc.psum = {}`) cannot feed this pass",
                        arch.noc_ifmap, arch.noc_filter, arch.noc_psum
                    )));
                }
                lo = hi + 1;
                let more = match behind {
                    Some(l) => l.div_ceil(all_windows),
                    None => {
                        step *= 2;
                        step
                    }
                };
                hi = (hi + more.max(1)).min(cap);
            }
        }
    }
    if hi == guess {
        let mut step = 1;
        while hi > lo {
            let shorter = hi.saturating_sub(step).max(lo);
            if !works(shorter)? {
                lo = shorter + 1;
                break;
            }
            hi = shorter;
            step *= 2;
        }
    } else if hi > lo {
        // Most often the guess from the lateness is the period itself.
        if works(hi - 1)? {
            hi -= 1;
        } else {
            lo = hi;
        }
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        if works(mid)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let period = hi;
    let ((chains0, items), nets) = match kept.into_inner() {
        _ if period == min_period => {
            let nets = first_timing.nets;
            (first, nets)
        }
        Some((p, built, nets)) if p == period => (built, nets),
        _ => {
            let built = build(period)?;
            let nets = Timing::new(built.1.list(), arch).nets;
            (built, nets)
        }
    };
    let timing = Timing {
        items: items.list(),
        nets,
    };
    let start = timing.first_start(late);
    let when = timing
        .schedule(start)
        .ok_or_else(|| NoFit("internal: the timing found does not schedule".into()))?;
    let chains: Vec<Chain> = chains0
        .into_iter()
        .map(|mut c| {
            c.lay.start = start;
            c
        })
        .collect();
    let length = chains.iter().map(|c| c.lay.length()).max().unwrap_or(1) as usize;
    let rows = shape_rows(&g, &chains);
    // Which chain PE each array position holds (a later chain over an
    // earlier one wins, as the schedule was always built).
    let mut owner: Vec<Option<(usize, u64, u64)>> = vec![None; (rows * g.cols) as usize];
    let mut top_rows = Vec::new();
    for (ci, ch) in chains.iter().enumerate() {
        if ch.row0 > 0 && !top_rows.contains(&(ch.row0 as u32)) {
            top_rows.push(ch.row0 as u32);
        }
        for xx in 0..g.chain_rows() {
            for y in 0..g.width() {
                owner[g.pe(ch, xx, y) as usize] = Some((ci, xx, y));
            }
        }
    }
    top_rows.sort_unstable();
    // The PEs of one chain row differ only in the outputs they write, each
    // `y · windows` further on (`words`), so their codes relative to their
    // output base are equal: the dense words are built once per chain row
    // (the PE at y = 0) and every PE of the row takes that code, in the
    // order the PEs are met, as lowering each PE's own words would.
    let mut codes = Codes::default();
    let mut row_code: HashMap<(usize, u64), (Placed, bool)> = HashMap::new();
    let mut pes = Vec::with_capacity(owner.len());
    let mut capacity = Vec::with_capacity(owner.len());
    for o in &owner {
        let Some((ci, xx, y)) = *o else {
            let at = codes.add(&[]);
            pes.push(pe_entry(at, 1, (0, 0)));
            capacity.push((0, 0));
            continue;
        };
        let ch = &chains[ci];
        let (at, writes) = *row_code.entry((ci, xx)).or_insert_with(|| {
            let w = words(&g, ch, xx, 0, length);
            let writes = w.iter().any(|w| w.out.is_some());
            (codes.add(&w), writes)
        });
        let out_base = if writes {
            at.out_base + (y * windows) as u32
        } else {
            0
        };
        let cap = ((q * ring) as u32, (ch.filters * q * taps) as u32);
        let at = Placed { out_base, ..at };
        pes.push(pe_entry(at, (g.banks * shape.p()) as u32, cap));
        capacity.push(cap);
    }
    let pes_used = if length > 0 {
        owner.iter().flatten().count() as u64
    } else {
        0
    };
    let deliveries = items.deliveries(&when);
    let planes = shape.images * shape.filters.len() as u64 * shape.p();
    let program = Program {
        version: VERSION,
        rows: rows as u32,
        cols: g.cols as u32,
        length: if pes_used > 0 { length as u32 } else { 0 },
        out_kind,
        out_shape: Hw::new(planes * g.width(), windows),
        pipeline_mul: arch.pipeline_mul as u32,
        pipeline_add: arch.pipeline_add as u32,
        top_rows,
        codes: codes.into_codes(),
        pes,
        deliveries: compress_deliveries(&deliveries, |pe, net| {
            capacity.get(pe as usize).map_or(0, |c| match net {
                Net::Ifmap => c.0,
                Net::Filter => c.1,
                Net::Psum => 0,
            })
        }),
    };
    Ok(ProcessingPass {
        program,
        timing: StreamTiming {
            window_period: period,
            min_window_period: min_period,
            start,
            ifmap_ring: ring,
        },
        pes_used,
    })
}

/// The program entry of a PE placed at `at`.
fn pe_entry(at: Placed, psum_entries: u32, (ifmap, filter): (u32, u32)) -> PeEntry {
    PeEntry {
        code: at.code,
        out_base: at.out_base,
        start: at.start,
        ifmap_init: compress_init(&[]),
        filter_init: compress_init(&[]),
        psum_entries,
        ifmap_capacity: ifmap,
        filter_capacity: filter,
    }
}

/// Array rows the pass's chains occupy.
fn shape_rows(g: &Geometry, chains: &[Chain]) -> u64 {
    chains
        .iter()
        .map(|c| c.row0 + g.chain_rows())
        .max()
        .unwrap_or(1)
}

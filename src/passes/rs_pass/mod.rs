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

mod items;
mod layout;
mod timing;

use std::collections::HashMap;

use super::deliver::Items;
use super::lower::{Codes, Placed};
use crate::bytecode::{compress_deliveries, compress_init, PeEntry, Program, VERSION};
use crate::ir::{Net, OutKind};
use crate::ir::{PassShape, SrcMatrix, StreamTiming};
use crate::model::{Arch, Hw};
use items::items;
pub use layout::NoFit;
use layout::{chains, words, Chain, Geometry, Lay};
use timing::{Nets, Timing};

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
        banks: (arch.rf_psum / shape.p()).clamp(1, shape.images.saturating_mul(windows)),
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
        let it = items(&g, &ch)?;
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

//! Physical row-stationary passes: the set is cut to the array (a strip of
//! at most `array.w` output rows; kernel rows must fit the array's rows),
//! filter rows and input rows arrive over the filter and ifmap networks at
//! `noc.filter` and `noc.ifmap` elements per cycle, and each input row
//! streams through an ifmap scratchpad of `rf.ifmap` entries used as a ring.
//! The window period and the start are stretched until an
//! earliest-deadline-first schedule of the deliveries meets every read.

use super::deliver::{Item, Items};
use super::rs_map::{rs_layout, rs_set_timed, RsLayout, RsTiming};
use super::{Part, PassOptions};
use crate::diag::Diagnostic;
use crate::ir::{LogicalSet, Net, OutKind, SrcMatrix, StreamTiming};
use crate::model::{Arch, Hw, SrcSpan};

/// Cycles of the window in which element `e` of an input row is read by PE
/// row `x`: (first read, last read), or `None` if no window uses it.
fn uses(g: &RsLayout, stride_w: u64, x: u64, e: u64) -> Option<(u64, u64)> {
    let lo = if e + 1 >= g.taps {
        (e + 1 - g.taps).div_ceil(stride_w)
    } else {
        0
    };
    let hi = (e / stride_w).min(g.windows - 1);
    if lo > hi {
        return None;
    }
    Some((
        g.read(x, lo, e - lo * stride_w),
        g.read(x, hi, e - hi * stride_w),
    ))
}

/// The deliveries a timing needs, with their release and deadline cycles.
fn items(x: &SrcMatrix, k: &SrcMatrix, stride: Hw, g: &RsLayout, ring: u64) -> Items {
    let mut out = Items::default();
    let cols = g.cols;
    // Filter rows: element i of kernel row x, multicast along PE row x.
    for px in 0..g.rows {
        for i in 0..g.taps {
            let src = k.at(px, i);
            out.push(
                Net::Filter,
                src,
                0,
                g.read(px, 0, i),
                (0..cols).map(|py| ((px * cols + py) as u32, i as u32)),
            );
        }
    }
    // Input rows: element e of input row r, multicast along the diagonal of
    // PEs (x, y) with x + y*s_h = r, into ring slot e mod ring.
    for r in 0..x.h {
        let pes: Vec<u64> = (0..g.rows)
            .filter(|&px| r >= px && (r - px) % stride.h == 0 && (r - px) / stride.h < cols)
            .collect();
        if pes.is_empty() {
            continue;
        }
        for e in 0..x.w {
            let mut release = 0;
            let mut deadline = u64::MAX;
            let mut targets = Vec::new();
            for &px in &pes {
                let Some((first, _)) = uses(g, stride.w, px, e) else {
                    continue;
                };
                // The slot's previous occupant must have been read for the last time.
                let mut prev = e;
                while prev >= ring {
                    prev -= ring;
                    if let Some((_, last)) = uses(g, stride.w, px, prev) {
                        release = release.max(last + 1);
                        break;
                    }
                }
                deadline = deadline.min(first);
                let py = (r - px) / stride.h;
                targets.push(((px * cols + py) as u32, (e % ring) as u32));
            }
            if targets.is_empty() {
                continue;
            }
            out.push(Net::Ifmap, x.at(r, e), release, deadline, targets);
        }
    }
    out
}

/// Send cycles for every item of a timing, or `None` if the networks cannot
/// keep up. Inserted zeros are written by the PE itself when their slot
/// frees, without a network.
fn schedule(items: &[Item], arch: &Arch) -> Option<Vec<u64>> {
    let mut when: Vec<u64> = items.iter().map(|i| i.release).collect();
    for (net, bw) in [(Net::Ifmap, arch.noc_ifmap), (Net::Filter, arch.noc_filter)] {
        let idx: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].net == net && !items[i].local)
            .collect();
        let windows: Vec<(u64, u64)> = idx
            .iter()
            .map(|&i| (items[i].release, items[i].deadline))
            .collect();
        for (k, t) in super::deliver::edf(&windows, bw)?.into_iter().enumerate() {
            when[idx[k]] = t;
        }
    }
    Some(when)
}

/// Finds the smallest window period, then the smallest start, that the
/// networks can feed; returns the timing and the send cycles.
fn fit_timing(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    arch: &Arch,
    base: RsTiming,
) -> Option<(RsTiming, Items, Vec<u64>)> {
    let ring = base.ifmap_ring?;
    let (mul, add) = (arch.pipeline_mul, arch.pipeline_add);
    let try_timing = |period: u64, start: u64| {
        let t = RsTiming {
            period,
            start,
            ..base
        };
        let g = rs_layout(Hw::new(x.h, x.w), Hw::new(k.h, k.w), stride, mul, add, t);
        let it = items(x, k, stride, &g, ring);
        schedule(it.list(), arch).map(|w| (t, it, w))
    };
    // With this start every first send can happen before any read.
    let sends =
        (x.h * x.w).div_ceil(arch.noc_ifmap.max(1)) + (k.h * k.w).div_ceil(arch.noc_filter.max(1));
    let late = sends + 1;
    let min_period = RsTiming::min_period(k.w, add);
    // Exponential, then binary search for the smallest period that works
    // with a late start; a period of `min_period + sends` always leaves
    // each window enough cycles for all its sends.
    let cap = min_period + sends + k.h;
    let mut hi = min_period;
    let mut step = 1;
    while try_timing(hi, late).is_none() {
        if hi >= cap {
            return None;
        }
        hi = (hi + step).min(cap);
        step *= 2;
    }
    let mut lo = min_period;
    while lo < hi {
        let mid = (lo + hi) / 2;
        if try_timing(mid, late).is_some() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    // The smallest period that works; a longer one may need a shorter
    // start. Keep the timing with the shortest run: start + windows x period.
    let windows = (x.w - k.w) / stride.w + 1;
    let min_start = |period: u64| {
        let (mut lo, mut hi) = (0, late);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if try_timing(period, mid).is_some() {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi
    };
    let mut best = (hi, min_start(hi));
    let mut period = hi + 1;
    // A longer period costs `windows` cycles per step; stop once even a
    // start of 0 could not pay that back.
    while period <= cap && windows * (period - best.0) < best.1 {
        let start = min_start(period);
        if start + windows * period < best.1 + windows * best.0 {
            best = (period, start);
        }
        period += 1;
    }
    try_timing(best.0, best.1)
}

fn refuse(span: SrcSpan, arch: &Arch, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(crate::diag::Code::PhysicalNoFit, message)
        .with_primary(span, "this layer")
        .with_declared(arch.span, "this arch")
        .with_help(help.to_string())
}

/// The physical pass of a row-stationary convolution on `arch`: the first
/// strip of output rows the array holds, with streamed scratchpads.
#[allow(clippy::too_many_arguments)]
pub fn rs_stream_set(
    x: &SrcMatrix,
    k: &SrcMatrix,
    stride: Hw,
    out_kind: OutKind,
    arch: &Arch,
    span: SrcSpan,
) -> Result<LogicalSet, Diagnostic> {
    if k.h > arch.array.h {
        return Err(refuse(
            span,
            arch,
            format!(
                "a kernel of {} rows needs {} PE rows; arch `{}` has {}",
                k.h, k.h, arch.name, arch.array.h
            ),
            "the physical-pass simulation does not fold kernel rows; the whole-layer model (layer_stats) does",
        ));
    }
    if k.w > arch.rf_filter {
        return Err(refuse(
            span,
            arch,
            format!(
                "a kernel row of {} weights does not fit `rf.filter = {}`",
                k.w, arch.rf_filter
            ),
            "raise `rf.filter` in the arch",
        ));
    }
    let ring = arch.rf_ifmap.min(x.w);
    if ring < k.w {
        return Err(refuse(
            span,
            arch,
            format!(
                "a sliding window of {} inputs does not fit `rf.ifmap = {}`",
                k.w, arch.rf_ifmap
            ),
            "raise `rf.ifmap` in the arch to at least the kernel row length",
        ));
    }
    let base = RsTiming {
        period: RsTiming::min_period(k.w, arch.pipeline_add),
        start: 0,
        ifmap_ring: Some(ring),
        psum_slots: Some(1),
        cols: Some(arch.array.w),
    };
    let Some((timing, items, when)) = fit_timing(x, k, stride, arch, base) else {
        return Err(refuse(
            span,
            arch,
            format!(
                "the networks (`noc.ifmap = {}`, `noc.filter = {}`) cannot feed this pass with `rf.ifmap = {}`",
                arch.noc_ifmap, arch.noc_filter, arch.rf_ifmap
            ),
            "raise the network bandwidths or `rf.ifmap`",
        ));
    };
    let mut set = rs_set_timed(
        x,
        k,
        stride,
        out_kind,
        arch.pipeline_mul,
        arch.pipeline_add,
        timing,
    );
    let deliveries: Vec<_> = items
        .deliveries(&when)
        .into_iter()
        .map(|d| d.to_delivery())
        .collect();
    set.placement.rules.push(format!(
        "physical pass: strip of {} output rows, ifmap ring of {ring} entries, 1 psum slot, window period {} (minimum {}), start {}",
        set.cols,
        timing.period,
        RsTiming::min_period(k.w, arch.pipeline_add),
        timing.start
    ));
    set.deliveries = deliveries;
    set.stream = Some(StreamTiming {
        window_period: timing.period,
        min_window_period: RsTiming::min_period(k.w, arch.pipeline_add),
        start: timing.start,
        ifmap_ring: ring,
    });
    Ok(set)
}

/// The physical-pass mapping: `rs_stream_set` as a pass.
pub struct RsStream;

impl super::Pass for RsStream {
    fn name(&self) -> &'static str {
        "rs-stream"
    }
    fn description(&self) -> &'static str {
        "map a row-stationary physical pass: a strip that fits the array, scratchpads streamed over bandwidth-limited networks"
    }
    fn needs(&self) -> &'static [Part] {
        &[Part::Graph]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Set]
    }
    fn files(&self) -> &'static [&'static str] {
        &["rs_stream.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"a one-strip physical pass of row-stationary (pipeline `row-stationary-physical`; `physical_stats` was this strip before whole layers were simulated and is now the layer's first processing pass): the set cut to a strip of at most `array.w` output rows (kernel rows must fit `array.h`); filter rows multicast along PE rows on the filter network and input rows multicast along diagonals on the ifmap network, each input row streamed through a ring of `rf.ifmap` entries (element e in slot e mod ring), one psum slot. Every element may arrive once its slot's previous occupant has been read for the last time and must arrive by its first read; an earliest-deadline-first schedule per network at `noc.ifmap` / `noc.filter` sends per cycle decides whether a timing works, and the pass searches the smallest window period, then the start, that gives the shortest run. Inserted zeros are written by the PE itself. Refuses (E0207) what does not fit: kernel rows beyond the array, a kernel row beyond `rf.filter`, a window beyond `rf.ifmap`."#
    }
    fn run(&self, m: &mut crate::ir::Module, _opts: &PassOptions) -> Result<(), super::PassError> {
        use super::PassError;
        let graph = super::needed(m.graph.as_ref());
        let (stride, xn, kn, _) = graph
            .conv()
            .ok_or_else(|| PassError::internal("rs-stream", "the graph has no conv2d"))?;
        let shape = |n| {
            graph
                .shape(n)
                .ok_or_else(|| PassError::internal("rs-stream", "conv operand is not a tensor"))
        };
        super::rs_map::refuse_if_too_large(m, shape(xn)?, shape(kn)?, stride)?;
        let x = crate::ir::eval(graph, xn)
            .ok_or_else(|| PassError::internal("rs-stream", "conv input is not evaluable"))?;
        let k = crate::ir::eval(graph, kn)
            .ok_or_else(|| PassError::internal("rs-stream", "conv kernel is not evaluable"))?;
        let set = rs_stream_set(
            &x,
            &k,
            stride,
            crate::ir::OutKind::of(m.pass),
            &m.arch,
            m.layer.span,
        )
        .map_err(PassError::refused)?;
        m.set = Some(set);
        Ok(())
    }
}

//! The layer's memory timeline: its processing passes one after another on
//! the array, each taking its simulated cycles, and the DRAM transfers each
//! pass needs, issued while the array computes where the global buffer's
//! split allows (docs/whole-layer.md §7).
//!
//! * Each data type's DRAM bytes (the layer model's, `Raw::dram`) are
//!   spread over the passes that need them, in proportion to what each
//!   holds: ifmaps over the passes that load them (every filter block's
//!   unless ifmaps stay resident, then the first filter block's), filters
//!   likewise (every image block's unless resident), spilled psums over
//!   the passes that continue or leave psums, outputs over the last passes.
//! * A pass's ifmap and filter reads are fetched while the pass before it
//!   runs (double buffering) when the bytes that pass still holds plus the
//!   next pass's fit the type's banks; otherwise they are fetched when it
//!   ends. A pass holds the ifmaps it streams (and, when ifmaps are
//!   resident, those of its strip and image block loaded so far); its
//!   filter rows sit in the PEs' scratchpads, so the filter banks hold only
//!   filters kept resident for later passes. Spilled psums are read back
//!   after the writes that put them there.
//! * Writes (spilled psums, outputs) leave when their pass ends, if they
//!   fit the psum banks. Writes that do not fit leave while the pass runs,
//!   as it makes them, half the banks at a time: one half fills while the
//!   other drains over the link, and the array stalls when both are full.
//! * The chip's DRAM link (`dram.width`, `dram.clock`) carries one transfer
//!   at a time, in the order they are issued; the DRAM device serves each
//!   transfer's bursts back to back through the command scheduler
//!   (`dram::TimedDram`), and a read is in when both are through.
//! * A pass starts when the pass before it has ended and its reads are in;
//!   the layer ends when its last writes are in DRAM.

use serde::Serialize;

use super::dram_traffic::Regions;
use crate::dram::{Command, DramEnergy, MemSpec, TimedDram, MAX_EXACT_BURSTS};
use crate::ir::PassStep;
use crate::model::Arch;

/// DRAM bytes of each stream of the layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DramBytes {
    pub ifmap: u64,
    pub filter: u64,
    pub psum_read: u64,
    pub psum_write: u64,
    pub ofmap: u64,
}

/// What decides where the bytes go and whether they can be prefetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Residency {
    pub ifmaps_resident: bool,
    pub filters_resident: bool,
    /// Bytes of the banks holding ifmaps, and of the filter banks.
    pub ifmap_capacity: u64,
    pub filter_capacity: u64,
    /// Bytes of the banks holding psums and outputs.
    pub psum_capacity: u64,
}

/// Everything the timeline takes besides the passes and the arch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub bytes: DramBytes,
    pub res: Residency,
    pub regions: Regions,
    /// Cycles each distinct pass (`PassStep::kind`) stalls on busy
    /// global-buffer banks under this bank split (`sim::BankTrace`).
    pub bank_stalls: Vec<u64>,
}

/// The timeline's figures (core cycles).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// From the first transfer to the last write in DRAM.
    pub cycles: u64,
    /// The passes' own cycles, one after another, their bank stalls
    /// included.
    pub array_cycles: u64,
    /// Of them: cycles the array stalled because a global-buffer bank it
    /// needed was serving another access.
    pub glb_bank_stall_cycles: u64,
    /// Cycles the array waited for DRAM: before a pass for its reads, and
    /// within a pass whose writes filled the psum banks.
    pub dram_wait_cycles: u64,
    /// Cycles after the last pass until its writes were in DRAM.
    pub write_tail_cycles: u64,
    /// Cycles the DRAM link was carrying data.
    pub link_busy_cycles: u64,
    pub passes: u64,
    /// Passes whose ifmap and filter reads came while the pass before ran.
    pub prefetched_passes: u64,
    pub transfers: u64,
    pub dram_bursts: u64,
    #[serde(skip)]
    pub dram_energy: DramEnergy,
    /// What it was built from (to build it again with its commands).
    #[serde(skip)]
    pub inputs: Inputs,
}

/// `total` spread over the weights by cumulative rounding: the shares sum
/// to `total` exactly (all to the first entry if every weight is zero).
fn spread(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| w as u128).sum();
    if sum == 0 {
        let mut v = vec![0; weights.len()];
        if let Some(f) = v.first_mut() {
            *f = total;
        }
        return v;
    }
    let mut acc = 0u128;
    let mut given = 0u64;
    weights
        .iter()
        .map(|&w| {
            acc += w as u128;
            let upto = (total as u128 * acc / sum) as u64;
            let share = upto - given;
            given = upto;
            share
        })
        .collect()
}

/// Per pass: the bytes of each stream it reads before it or writes after it.
struct Shares {
    ifmap: Vec<u64>,
    filter: Vec<u64>,
    psum_read: Vec<u64>,
    psum_write: Vec<u64>,
    ofmap: Vec<u64>,
}

fn shares(steps: &[PassStep], b: &DramBytes, r: &Residency) -> Shares {
    let w = |f: &dyn Fn(&PassStep) -> u64| steps.iter().map(f).collect::<Vec<u64>>();
    let ifmap = w(&|s| {
        if !r.ifmaps_resident || s.filter_block == 0 {
            s.images * s.channels
        } else {
            0
        }
    });
    let filter = w(&|s| {
        if !r.filters_resident || (s.strip == 0 && s.image_block == 0) {
            s.filters * s.channels
        } else {
            0
        }
    });
    let incoming = w(&|s| if s.incoming { s.outputs } else { 0 });
    let leaving = w(&|s| if s.last { 0 } else { s.outputs });
    let outputs = w(&|s| if s.last { s.outputs } else { 0 });
    Shares {
        ifmap: spread(b.ifmap, &ifmap),
        filter: spread(b.filter, &filter),
        psum_read: spread(b.psum_read, &incoming),
        psum_write: spread(b.psum_write, &leaving),
        ofmap: spread(b.ofmap, &outputs),
    }
}

/// Bytes of a type each pass holds in the buffer: those loaded since the
/// data it keeps began (`same(a, b)`: passes `a` and `b` keep the same).
fn held(v: &[u64], same: impl Fn(usize, usize) -> bool) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        let before = if i > 0 && same(i - 1, i) {
            out[i - 1]
        } else {
            0
        };
        out.push(before.saturating_add(v[i]));
    }
    out
}

/// A stream's next addresses: a cursor wrapping around its footprint.
struct Cursor {
    base: u64,
    footprint: u64,
    at: u64,
}

impl Cursor {
    fn new(base: u64, footprint: u64) -> Cursor {
        Cursor {
            base,
            footprint: footprint.max(1),
            at: 0,
        }
    }

    /// The next `len` bytes as (address, length) pieces that do not cross
    /// the footprint's end.
    fn take(&mut self, mut len: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        while len > 0 {
            let piece = len.min(self.footprint - self.at);
            out.push((self.base + self.at, piece));
            self.at = (self.at + piece) % self.footprint;
            len -= piece;
        }
        out
    }
}

const REGION: u64 = 1 << 30;

/// The link, the device and the clocks between them.
struct Memory<'a> {
    arch: &'a Arch,
    dram: TimedDram<'a>,
    /// Memory-clock cycles per core cycle.
    ratio: f64,
    link_free: u64,
    link_busy: u64,
    transfers: u64,
}

impl Memory<'_> {
    fn to_mem(&self, core: u64) -> u64 {
        (core as f64 * self.ratio).ceil() as u64
    }

    fn to_core(&self, mem: u64) -> u64 {
        (mem as f64 / self.ratio).ceil() as u64
    }

    /// Moves the pieces at core cycle `at`; returns when they are through
    /// both the link and the device.
    fn transfer(&mut self, write: bool, pieces: &[(u64, u64)], at: u64) -> u64 {
        let bytes: u64 = pieces.iter().map(|p| p.1).sum();
        if bytes == 0 {
            return at;
        }
        self.transfers += 1;
        let link = self.arch.dram_link_cycles(bytes as u128) as u64;
        let start = at.max(self.link_free);
        // A read leaves the device from `at`; a write reaches it as the
        // link delivers it.
        let device_at = self.to_mem(if write { start } else { at });
        let mut device_done = device_at;
        for &(addr, len) in pieces {
            device_done = self.dram.transfer(write, addr, len, device_at);
        }
        let done = (start + link).max(self.to_core(device_done));
        self.link_free = if write { start + link } else { done };
        self.link_busy += link;
        done
    }
}

/// The timeline of the passes `steps` with the layer's DRAM bytes; `Err`
/// says why it is not built (the DRAM stream would be longer than the
/// command scheduler runs exactly).
pub fn build(
    steps: &[PassStep],
    inputs: &Inputs,
    arch: &Arch,
    spec: &MemSpec,
) -> Result<Timeline, String> {
    with_commands(steps, inputs, arch, spec).map(|(t, _)| t)
}

/// [`build`], with the DRAM command stream at the times it was issued.
pub fn with_commands(
    steps: &[PassStep],
    inputs: &Inputs,
    arch: &Arch,
    spec: &MemSpec,
) -> Result<(Timeline, Vec<Command>), String> {
    let Inputs {
        bytes,
        res,
        regions,
        bank_stalls,
    } = inputs;
    let dram = TimedDram::new(spec);
    let bb = dram.burst_bytes().max(1);
    let all = [
        bytes.ifmap,
        bytes.filter,
        bytes.psum_read,
        bytes.psum_write,
        bytes.ofmap,
    ];
    let bursts: u64 = all.iter().map(|b| b.div_ceil(bb)).sum();
    if bursts > MAX_EXACT_BURSTS {
        return Err(format!(
            "about {bursts} DRAM bursts, more than the {MAX_EXACT_BURSTS} the timeline schedules"
        ));
    }
    let n = steps.len();
    let sh = shares(steps, bytes, res);
    let unit_i = |s: &PassStep| {
        let block = if res.ifmaps_resident {
            (0, 0)
        } else {
            (s.filter_block, s.channel_block)
        };
        (s.group, s.strip, s.image_block, block)
    };
    // Filter rows are stationary: once a pass has them in its scratchpads
    // the banks keep only filters that stay resident for later passes.
    let unit_f = |s: &PassStep| res.filters_resident.then_some(s.group);
    // Whether pass i + 1's ifmaps and filters fit beside what pass i holds.
    let hi = held(&sh.ifmap, |a, b| unit_i(&steps[a]) == unit_i(&steps[b]));
    let kept: Vec<u64> = if res.filters_resident {
        sh.filter.clone()
    } else {
        vec![0; n]
    };
    let hf = held(&kept, |a, b| unit_f(&steps[a]) == unit_f(&steps[b]));
    let prefetch: Vec<bool> = (0..n)
        .map(|i| {
            i + 1 < n
                && hi[i].saturating_add(sh.ifmap[i + 1]) <= res.ifmap_capacity
                && hf[i].saturating_add(sh.filter[i + 1]) <= res.filter_capacity
        })
        .collect();
    let mut mem = Memory {
        arch,
        dram,
        ratio: arch_ratio(arch, spec),
        link_free: 0,
        link_busy: 0,
        transfers: 0,
    };
    let mut cur = [
        Cursor::new(0, regions.ifmap),
        Cursor::new(REGION, regions.filter),
        Cursor::new(2 * REGION, regions.psum),
        Cursor::new(2 * REGION, regions.psum),
        Cursor::new(3 * REGION, regions.ofmap),
    ];
    // The ifmap and filter reads of pass i, issued at `at`.
    let fetch = |mem: &mut Memory, cur: &mut [Cursor; 5], i: usize, at: u64| -> u64 {
        let a = cur[0].take(sh.ifmap[i]);
        let b = cur[1].take(sh.filter[i]);
        mem.transfer(false, &a, at).max(mem.transfer(false, &b, at))
    };
    let mut ready = fetch(&mut mem, &mut cur, 0, 0);
    let (mut end, mut array, mut wait, mut written) = (0u64, 0u64, 0u64, 0u64);
    let (mut prefetched, mut bank) = (0u64, 0u64);
    for i in 0..n {
        let start = end.max(ready);
        wait += start - end;
        let stall = bank_stalls
            .get(steps[i].kind as usize)
            .copied()
            .unwrap_or(0);
        let runs = steps[i].cycles + stall;
        end = start + runs;
        array += runs;
        bank += stall;
        let mut next_ready = 0;
        if prefetch[i] {
            next_ready = fetch(&mut mem, &mut cur, i + 1, start);
            prefetched += 1;
        }
        let leaving = sh.psum_write[i].saturating_add(sh.ofmap[i]);
        // A split without psum banks has no half to stream through: its
        // writes leave at the end, as ones that fit.
        if leaving <= res.psum_capacity || res.psum_capacity == 0 {
            let psums = cur[3].take(sh.psum_write[i]);
            let outs = cur[4].take(sh.ofmap[i]);
            written = written
                .max(mem.transfer(true, &psums, end))
                .max(mem.transfer(true, &outs, end));
        } else {
            // More than the banks hold: the writes leave while the pass
            // makes them, at its steady rate, half the banks at a time.
            let piece = (res.psum_capacity / 2).max(bb);
            let (mut sent, mut held_up) = (0u64, 0u64);
            let mut drained: Vec<u64> = Vec::new();
            while sent < leaving {
                let len = piece.min(leaving - sent);
                let made = start
                    + held_up
                    + (runs as u128 * (sent + len) as u128 / leaving as u128) as u64;
                // The half it fills must have drained.
                let free = drained.len().checked_sub(2).map_or(0, |k| drained[k]);
                held_up += free.saturating_sub(made);
                let at = made.max(free);
                // Spilled psums first, then outputs (a pass has one or the
                // other).
                let from_psums = len.min(sh.psum_write[i].saturating_sub(sent));
                let a = cur[3].take(from_psums);
                let b = cur[4].take(len - from_psums);
                let done = mem.transfer(true, &a, at).max(mem.transfer(true, &b, at));
                drained.push(mem.link_free);
                written = written.max(done);
                sent += len;
            }
            // The array waited for the link: DRAM wait.
            end += held_up;
            wait += held_up;
        }
        if i + 1 < n {
            if !prefetch[i] {
                next_ready = fetch(&mut mem, &mut cur, i + 1, end);
            }
            let back = cur[2].take(sh.psum_read[i + 1]);
            next_ready = next_ready.max(mem.transfer(false, &back, end));
        }
        ready = next_ready;
    }
    let cycles = end.max(written);
    let Memory {
        dram,
        link_busy,
        transfers,
        ..
    } = mem;
    let bursts = dram.bursts;
    let layer_end = (cycles as f64 * arch_ratio(arch, spec)).ceil() as u64;
    let (dram_energy, commands) = dram.finish(layer_end);
    let t = Timeline {
        cycles,
        array_cycles: array,
        glb_bank_stall_cycles: bank,
        dram_wait_cycles: wait,
        write_tail_cycles: cycles - end,
        link_busy_cycles: link_busy,
        passes: n as u64,
        prefetched_passes: prefetched,
        transfers,
        dram_bursts: bursts,
        dram_energy,
        inputs: inputs.clone(),
    };
    Ok((t, commands))
}

/// Memory-clock cycles per core cycle.
fn arch_ratio(arch: &Arch, spec: &MemSpec) -> f64 {
    let core_ns = 1e9 / arch.clock_hz.max(1) as f64;
    core_ns / spec.timing.tck_ns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dram::memspec;

    fn step(i: u32, cycles: u64) -> PassStep {
        PassStep {
            cycles,
            kind: 0,
            outputs: 100,
            group: 0,
            strip: 0,
            image_block: 0,
            filter_block: i,
            channel_block: 0,
            fold: 0,
            images: 1,
            filters: 4,
            channels: 2,
            incoming: false,
            last: true,
        }
    }

    fn run(cycles: u64, passes: u32, capacity: u64, ifmap: u64) -> Timeline {
        run_writing(
            cycles,
            passes,
            capacity,
            ifmap,
            800 * passes as u64,
            capacity,
        )
    }

    /// `passes` passes of `cycles` reading `ifmap` and writing `ofmap`
    /// bytes in all, through `psum` bytes of psum banks.
    fn run_writing(
        cycles: u64,
        passes: u32,
        capacity: u64,
        ifmap: u64,
        ofmap: u64,
        psum: u64,
    ) -> Timeline {
        let arch = Arch::eyeriss_chip();
        let spec = memspec(&arch.dram).unwrap();
        let steps: Vec<PassStep> = (0..passes).map(|i| step(i, cycles)).collect();
        let bytes = DramBytes {
            ifmap,
            filter: 0,
            psum_read: 0,
            psum_write: 0,
            ofmap,
        };
        let res = Residency {
            ifmaps_resident: false,
            filters_resident: false,
            ifmap_capacity: capacity,
            filter_capacity: capacity,
            psum_capacity: psum,
        };
        let regions = Regions {
            ifmap: ifmap.max(1),
            filter: 1,
            psum: 1,
            ofmap: ofmap.max(1),
        };
        let inputs = Inputs {
            bytes,
            res,
            regions,
            bank_stalls: vec![],
        };
        build(&steps, &inputs, &arch, &spec).unwrap()
    }

    #[test]
    fn bank_stalls_lengthen_each_pass_of_their_kind() {
        let t = run(10_000, 8, 1 << 20, 8_000);
        let mut inputs = t.inputs.clone();
        inputs.bank_stalls = vec![25];
        let arch = Arch::eyeriss_chip();
        let spec = memspec(&arch.dram).unwrap();
        let steps: Vec<PassStep> = (0..8).map(|i| step(i, 10_000)).collect();
        let s = build(&steps, &inputs, &arch, &spec).unwrap();
        assert_eq!(s.glb_bank_stall_cycles, 8 * 25);
        assert_eq!(s.array_cycles, t.array_cycles + 8 * 25);
        assert_eq!(
            s.cycles,
            s.array_cycles + s.dram_wait_cycles + s.write_tail_cycles
        );
    }

    #[test]
    fn the_layer_is_its_passes_plus_the_waits_for_dram() {
        for (cycles, t) in [
            (10_000, run(10_000, 8, 1 << 20, 64_000)),
            (100, run(100, 8, 0, 64_000)),
        ] {
            assert_eq!(t.array_cycles, 8 * cycles);
            assert_eq!(
                t.cycles,
                t.array_cycles + t.dram_wait_cycles + t.write_tail_cycles
            );
            assert!(t.cycles >= t.link_busy_cycles);
            // 8 ifmap reads and 8 output writes.
            assert_eq!(t.transfers, 16);
        }
    }

    #[test]
    fn double_buffering_hides_the_next_pass_reads_behind_a_long_pass() {
        let arch = Arch::eyeriss_chip();
        let load = arch.dram_link_cycles(8_000) as u64;
        let hidden = run(10_000, 8, 1 << 20, 64_000);
        assert_eq!(hidden.prefetched_passes, 7);
        // Only the first pass waits for its reads (device latency aside).
        assert!(hidden.dram_wait_cycles < load + 100, "{hidden:?}");
        let exposed = run(10_000, 8, 0, 64_000);
        assert_eq!(exposed.prefetched_passes, 0);
        assert!(exposed.dram_wait_cycles >= 8 * load, "{exposed:?}");
    }

    #[test]
    fn a_dram_bound_layer_takes_the_link_time() {
        let t = run(10, 8, 1 << 20, 4_000_000);
        assert!(t.cycles >= t.link_busy_cycles);
        assert!(10 * t.dram_wait_cycles > 9 * t.link_busy_cycles, "{t:?}");
        assert!(t.dram_wait_cycles > 10 * t.array_cycles);
    }

    #[test]
    fn the_dram_moves_every_byte_and_sleeps_between_transfers() {
        let t = run(10_000, 8, 1 << 20, 64_000);
        let arch = Arch::eyeriss_chip();
        let spec = memspec(&arch.dram).unwrap();
        let bb = spec.burst_bytes();
        assert_eq!(t.dram_energy.reads, 8 * (8_000u64).div_ceil(bb));
        assert_eq!(t.dram_energy.writes, 8 * (800u64).div_ceil(bb));
        assert!(t.dram_energy.idle_ns > t.dram_energy.duration_ns);
        assert!(t.dram_energy.powerdown > 0.0);
    }

    #[test]
    fn outputs_larger_than_the_psum_banks_leave_while_their_pass_runs() {
        let arch = Arch::eyeriss_chip();
        let (out, banks) = (4_000_000u64, 64u64 << 10);
        let link = arch.dram_link_cycles(out as u128) as u64;
        let piece = arch.dram_link_cycles((banks / 2) as u128) as u64;
        let whole = |t: &Timeline| {
            assert_eq!(
                t.cycles,
                t.array_cycles + t.dram_wait_cycles + t.write_tail_cycles
            );
        };
        // A pass as long as its writes' link time: held to its end, the
        // two add up; leaving as they are made, they overlap, and the
        // layer ends one half-bank's link time after the pass.
        let held = run_writing(link, 1, 1 << 20, 8_000, out, 1 << 30);
        let left = run_writing(link, 1, 1 << 20, 8_000, out, banks);
        whole(&held);
        whole(&left);
        assert!(held.cycles >= 2 * link, "{held:?}");
        assert!(left.cycles < link + 2 * piece + 1_000, "{left:?}");
        assert_eq!(left.transfers, 1 + out.div_ceil(banks / 2));
        // A pass four times faster than the link: the banks fill and the
        // array waits for them to drain (DRAM wait), the layer takes the
        // link's time.
        let fast = run_writing(link / 4, 1, 1 << 20, 8_000, out, banks);
        whole(&fast);
        assert!(fast.dram_wait_cycles > link / 2, "{fast:?}");
        assert!(fast.cycles < link + 2 * piece + 1_000, "{fast:?}");
    }

    #[test]
    fn spread_keeps_the_total_and_follows_the_weights() {
        assert_eq!(spread(10, &[1, 1, 2]), vec![2, 3, 5]);
        assert_eq!(spread(7, &[0, 0]), vec![7, 0]);
        assert_eq!(spread(0, &[3, 4]), vec![0, 0]);
        let v = spread(1_000_003, &[5, 0, 7, 11]);
        assert_eq!(v.iter().sum::<u64>(), 1_000_003);
        assert_eq!(v[1], 0);
    }
}

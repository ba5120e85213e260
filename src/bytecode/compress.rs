//! Compression of dense per-cycle control into idle runs and affine repeat
//! loops, and of scratchpad contents into runs.

use super::isa::{Ctl, DeliveryRun, Delta, InitRun, Insn, NONE};
use crate::vocab::Src;
use crate::vocab::{DeliveryView, Net};

/// Longest loop body tried. Schedules repeat with the window period (taps
/// plus a bubble), so this covers filters of up to 255 taps per row.
const MAX_PERIOD: usize = 256;

/// The shape of a step without its addresses: which fields are present, and
/// the flags. Two steps can be iterations of one loop only if these agree.
fn signature(c: &Ctl) -> u16 {
    let mut present = 0u16;
    for (i, v) in c.fields().iter().enumerate() {
        if *v != NONE {
            present |= 1 << i;
        }
    }
    // One integer, so that runs of them compare as bytes.
    present | (c.flags as u16) << 8
}

/// Each step's signature, found once: the loop search compares runs of
/// them many times.
fn signatures(ctl: &[Ctl]) -> Vec<u16> {
    ctl.iter().map(signature).collect()
}

/// The per-field change that turns `a` into `b` (whose signatures are
/// equal), if every field agrees.
fn delta_between(a: &[Ctl], b: &[Ctl]) -> Option<Delta> {
    let mut d: [Option<i64>; 5] = [None; 5];
    for (x, y) in a.iter().zip(b) {
        for (f, (u, v)) in x.fields().iter().zip(y.fields()).enumerate() {
            if *u == NONE {
                continue;
            }
            let diff = v as i64 - *u as i64;
            match d[f] {
                None => d[f] = Some(diff),
                Some(prev) if prev != diff => return None,
                _ => {}
            }
        }
    }
    let mut out = [0i32; 5];
    for (o, v) in out.iter_mut().zip(d) {
        *o = i32::try_from(v.unwrap_or(0)).ok()?;
    }
    Some(Delta(out))
}

fn matches(body: &[Ctl], block: &[Ctl], d: &Delta, k: u32) -> bool {
    body.iter().zip(block).all(|(b, x)| b.advanced(d, k) == *x)
}

/// Appends `ctl` as steps, merging idle cycles into `Idle` runs.
fn emit_plain(out: &mut Vec<Insn>, ctl: &[Ctl]) {
    for c in ctl {
        if c.is_idle() {
            if let Some(Insn::Idle { cycles }) = out.last_mut() {
                *cycles += 1;
                continue;
            }
            out.push(Insn::Idle { cycles: 1 });
        } else {
            out.push(Insn::Step(*c));
        }
    }
}

/// Compresses dense control into instructions. `Program::expand` inverts it.
pub fn compress(ctl: &[Ctl]) -> Vec<Insn> {
    compress_signed(ctl, &signatures(ctl))
}

/// [`compress`] with the steps' signatures `sig`.
fn compress_signed(ctl: &[Ctl], sig: &[u16]) -> Vec<Insn> {
    let n = ctl.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if ctl[i].is_idle() {
            let start = i;
            while i < n && ctl[i].is_idle() {
                i += 1;
            }
            out.push(Insn::Idle {
                cycles: (i - start) as u32,
            });
            continue;
        }
        let mut best: Option<(usize, u32, Delta)> = None;
        for p in 1..=MAX_PERIOD.min((n - i) / 2) {
            if sig[i + p] != sig[i] || sig[i..i + p] != sig[i + p..i + 2 * p] {
                continue;
            }
            let body = &ctl[i..i + p];
            let Some(d) = delta_between(body, &ctl[i + p..i + 2 * p]) else {
                continue;
            };
            let mut count = 2u32;
            while i + (count as usize + 1) * p <= n
                && matches(
                    body,
                    &ctl[i + count as usize * p..i + (count as usize + 1) * p],
                    &d,
                    count,
                )
            {
                count += 1;
            }
            let covered = p * count as usize;
            if best.is_none_or(|(bp, bc, _)| covered > bp * bc as usize) {
                best = Some((p, count, d));
            }
        }
        match best {
            // A loop pays off only if it replaces more than its own header.
            Some((p, count, d)) if p * (count as usize - 1) > 1 => {
                // The body may itself repeat (the taps of a window inside
                // the loop over windows): compress it the same way.
                let body = compress_signed(&ctl[i..i + p], &sig[i..i + p]);
                out.push(Insn::Repeat {
                    count,
                    len: body.len() as u32,
                    delta: d,
                });
                out.extend(body);
                i += p * count as usize;
            }
            _ => {
                emit_plain(&mut out, &ctl[i..i + 1]);
                i += 1;
            }
        }
    }
    out
}

/// Compresses scratchpad contents into runs: elements of constant step,
/// each followed (but the last) by the same number of inserted zeros, as a
/// dilated error row is; and runs of zeros.
pub fn compress_init(srcs: &[Src]) -> Vec<InitRun> {
    let n = srcs.len();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < n {
        let s = srcs[i];
        if s.is_zero() {
            let start = i;
            while i < n && srcs[i].is_zero() {
                i += 1;
            }
            runs.push(InitRun::line(s, (i - start) as u32, 0, 0, 0));
            continue;
        }
        // The zeros after this element fix the gap; the next element the step.
        let gap = srcs[i + 1..].iter().take_while(|x| x.is_zero()).count();
        let period = gap + 1;
        let next = srcs.get(i + period).copied().filter(|x| x.kind == s.kind);
        let step = next.and_then(|x| {
            Some((
                i32::try_from(x.r as i64 - s.r as i64).ok()?,
                i32::try_from(x.c as i64 - s.c as i64).ok()?,
            ))
        });
        let Some((dr, dc)) = step else {
            runs.push(InitRun::line(s, 1, 0, 0, 0));
            i += 1;
            continue;
        };
        let mut count = 2usize;
        loop {
            let at = i + count * period;
            let (Some(x), true) = (
                srcs.get(at),
                srcs[i + (count - 1) * period + 1..at.min(n)]
                    .iter()
                    .all(|z| z.is_zero()),
            ) else {
                break;
            };
            let want_r = s.r as i64 + dr as i64 * count as i64;
            let want_c = s.c as i64 + dc as i64 * count as i64;
            if x.kind != s.kind || x.r as i64 != want_r || x.c as i64 != want_c {
                break;
            }
            count += 1;
        }
        runs.push(InitRun::line(s, count as u32, dr, dc, gap as u32));
        i += (count - 1) * period + 1;
    }
    stack_runs(runs)
}

/// Merges consecutive runs of the same shape whose starts advance by a
/// constant offset into one repeated run (the rows of a 2-D block).
fn stack_runs(runs: Vec<InitRun>) -> Vec<InitRun> {
    let mut out: Vec<InitRun> = Vec::with_capacity(runs.len());
    for r in runs {
        if let Some(last) = out.last_mut() {
            let same_shape = last.src.kind == r.src.kind
                && (last.count, last.dr, last.dc, last.gap) == (r.count, r.dr, r.dc, r.gap)
                && !r.src.is_zero();
            if same_shape {
                // Where the next repetition of `last` would start.
                let k = last.reps as i64;
                let off = (
                    r.src.r as i64 - last.src.r as i64,
                    r.src.c as i64 - last.src.c as i64,
                );
                let fits = if last.reps == 1 {
                    i32::try_from(off.0).is_ok() && i32::try_from(off.1).is_ok()
                } else {
                    off == (last.rep_dr as i64 * k, last.rep_dc as i64 * k)
                };
                if fits {
                    if last.reps == 1 {
                        last.rep_dr = off.0 as i32;
                        last.rep_dc = off.1 as i32;
                    }
                    last.reps += 1;
                    continue;
                }
            }
        }
        out.push(r);
    }
    out
}

/// Compresses deliveries into runs (see [`DeliveryRun`]): deliveries to the
/// same PEs on the same network are taken in cycle order and merged while
/// their cycle, source and addresses advance by constant steps (addresses
/// modulo each target's scratchpad capacity, given by `ring`).
pub fn compress_deliveries(
    ds: &[DeliveryView],
    ring: impl Fn(u32, Net) -> u32,
) -> Vec<DeliveryRun> {
    // Group by destination (network, local, target PEs), groups in that
    // key's order and each in cycle order: a stable sort of the deliveries
    // by the key, compared in place (a key list per delivery, kept in a
    // map, was an allocation per delivery).
    let key = |d: &DeliveryView| (d.net as u8, d.local);
    fn pes<'a>(d: &DeliveryView<'a>) -> impl Iterator<Item = u32> + 'a {
        d.targets.iter().map(|t| t.0)
    }
    let mut sorted: Vec<&DeliveryView> = ds.iter().collect();
    sorted.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| pes(a).cmp(pes(b))));
    let same = |a: &DeliveryView, b: &DeliveryView| key(a) == key(b) && pes(a).eq(pes(b));
    let groups = sorted.chunk_by(|a, b| same(a, b));
    let mut runs = Vec::new();
    for list in groups {
        let mut i = 0;
        while i < list.len() {
            let first = list[i];
            let mut run = DeliveryRun {
                cycle: first.cycle,
                cycle_step: 0,
                count: 1,
                net: first.net,
                local: first.local,
                src: first.src,
                dr: 0,
                dc: 0,
                targets: first.targets.to_vec(),
                addr_step: 0,
            };
            let fits = |run: &DeliveryRun, d: &DeliveryView| -> bool {
                let k = run.count as u64;
                let cycle_ok = d.cycle as u64 == run.cycle as u64 + k * run.cycle_step as u64;
                let src_ok = d.src.kind == run.src.kind
                    && (d.src.is_zero()
                        || (d.src.r as i64 == run.src.r as i64 + run.dr as i64 * k as i64
                            && d.src.c as i64 == run.src.c as i64 + run.dc as i64 * k as i64));
                let addr_ok = d
                    .targets
                    .iter()
                    .zip(&run.targets)
                    .all(|(&(_, a), &(pe, a0))| {
                        let m = ring(pe, run.net) as u64;
                        let want = a0 as u64 + k * run.addr_step as u64;
                        a as u64 == if m > 0 { want % m } else { want }
                    });
                cycle_ok && src_ok && addr_ok
            };
            let mut j = i + 1;
            if let Some(&second) = list.get(j) {
                // The second delivery fixes the steps.
                let steps = (
                    second.cycle.checked_sub(first.cycle),
                    i32::try_from(second.src.r as i64 - first.src.r as i64).ok(),
                    i32::try_from(second.src.c as i64 - first.src.c as i64).ok(),
                );
                if let (Some(cs), Some(dr), Some(dc)) = steps {
                    let (pe0, a0) = first.targets.first().copied().unwrap_or((0, 0));
                    let a1 = second.targets.first().map_or(0, |t| t.1);
                    let m = ring(pe0, first.net);
                    let step = if m > 0 {
                        (a1 + m - a0 % m) % m
                    } else {
                        a1.wrapping_sub(a0)
                    };
                    run.cycle_step = cs;
                    run.dr = if first.src.is_zero() { 0 } else { dr };
                    run.dc = if first.src.is_zero() { 0 } else { dc };
                    run.addr_step = step;
                    while let Some(&d) = list.get(j) {
                        if !fits(&run, d) {
                            break;
                        }
                        run.count += 1;
                        j += 1;
                    }
                }
            }
            if run.count == 1 {
                run.cycle_step = 0;
                run.dr = 0;
                run.dc = 0;
                run.addr_step = 0;
                j = i + 1;
            }
            runs.push(run);
            i = j;
        }
    }
    runs
}

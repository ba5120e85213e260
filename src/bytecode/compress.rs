//! Compression of dense per-cycle control into idle runs and affine repeat
//! loops, and of scratchpad contents into runs.

use super::isa::{Ctl, Delta, InitRun, Insn, NONE};
use crate::ir::Src;

/// Longest loop body tried. Schedules repeat with the window period (taps
/// plus a bubble), so this covers filters of up to 255 taps per row.
const MAX_PERIOD: usize = 256;

/// The shape of a step without its addresses: which fields are present, and
/// the flags. Two steps can be iterations of one loop only if these agree.
fn signature(c: &Ctl) -> (u8, u8) {
    let mut present = 0u8;
    for (i, v) in c.fields().iter().enumerate() {
        if *v != NONE {
            present |= 1 << i;
        }
    }
    (present, c.flags)
}

/// The per-field change that turns `a` into `b`, if every field agrees.
fn delta_between(a: &[Ctl], b: &[Ctl]) -> Option<Delta> {
    let mut d: [Option<i64>; 5] = [None; 5];
    for (x, y) in a.iter().zip(b) {
        if signature(x) != signature(y) {
            return None;
        }
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
        let sig0 = signature(&ctl[i]);
        for p in 1..=MAX_PERIOD.min((n - i) / 2) {
            if signature(&ctl[i + p]) != sig0 {
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
                let mut body = Vec::new();
                emit_plain(&mut body, &ctl[i..i + p]);
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

/// Compresses scratchpad contents into runs of constant step.
pub fn compress_init(srcs: &[Src]) -> Vec<InitRun> {
    let mut runs: Vec<InitRun> = Vec::new();
    for &s in srcs {
        if let Some(run) = runs.last_mut() {
            if run.src.kind == s.kind {
                let prev_r = run.src.r as i64 + run.dr as i64 * (run.count as i64 - 1);
                let prev_c = run.src.c as i64 + run.dc as i64 * (run.count as i64 - 1);
                let (dr, dc) = (s.r as i64 - prev_r, s.c as i64 - prev_c);
                if s.is_zero() {
                    run.count += 1;
                    continue;
                }
                if run.count == 1 {
                    if let (Ok(dr), Ok(dc)) = (i32::try_from(dr), i32::try_from(dc)) {
                        run.dr = dr;
                        run.dc = dc;
                        run.count = 2;
                        continue;
                    }
                } else if dr == run.dr as i64 && dc == run.dc as i64 {
                    run.count += 1;
                    continue;
                }
            }
        }
        runs.push(InitRun {
            src: s,
            count: 1,
            dr: 0,
            dc: 0,
        });
    }
    runs
}

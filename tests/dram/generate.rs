//! The command generator: address mapping, open-page policy, refresh and
//! the JEDEC timing constraints, checked by an independent checker.

use cnnc::dram::{
    energy, generate, generate_for, memspec, Command, CommandKind, GenOptions, MemSpec, Pacing,
    Transfer,
};

fn kinds(cmds: &[Command]) -> Vec<(CommandKind, u32)> {
    cmds.iter().map(|c| (c.kind, c.bank)).collect()
}

#[test]
fn one_row_is_one_act_and_bursts() {
    let spec = memspec("ddr4-1866").unwrap();
    // 8 KiB = one row of a 64-bit rank (1024 columns x 8 devices x 1 B).
    let cmds = generate(&spec, &[Transfer::read(0, 8192)]);
    assert_eq!(cmds.len(), 129);
    assert_eq!(
        (cmds[0].kind, cmds[0].bank, cmds[0].cycle),
        (CommandKind::Act, 0, 0)
    );
    assert!(cmds[1..]
        .iter()
        .all(|c| c.kind == CommandKind::Rd && c.bank == 0));
    // First RD after tRCD = 13, then every tCCD_L = 5 (same bank group).
    assert_eq!(cmds[1].cycle, 13);
    assert_eq!(cmds[2].cycle, 18);
}

#[test]
fn next_page_goes_to_another_bank_group() {
    let spec = memspec("ddr4-1866").unwrap();
    let cmds = generate(
        &spec,
        &[Transfer::read(8192, 64), Transfer::write(16384, 1)],
    );
    // Page 1 -> slot 1 -> group 1, bank 4; page 2 -> group 2, bank 8.
    assert_eq!(
        kinds(&cmds),
        vec![
            (CommandKind::Act, 4),
            (CommandKind::Rd, 4),
            (CommandKind::Act, 8),
            (CommandKind::Wr, 8)
        ]
    );
}

#[test]
fn row_miss_precharges_first() {
    let spec = memspec("ddr4-1866").unwrap();
    // Same bank (0), different row: 16 banks x 8 KiB further on.
    let cmds = generate(
        &spec,
        &[Transfer::read(0, 64), Transfer::read(16 * 8192, 64)],
    );
    let k: Vec<CommandKind> = cmds.iter().map(|c| c.kind).collect();
    use CommandKind::*;
    assert_eq!(k, vec![Act, Rd, Pre, Act, Rd]);
    // PRE waits for tRAS = 32; the second ACT for tRP = 13 and tRC = 45.
    assert_eq!(cmds[2].cycle, 32);
    assert_eq!(cmds[3].cycle, 45);
}

#[test]
fn empty_and_zero_length() {
    let spec = memspec("ddr4-1866").unwrap();
    assert!(generate(&spec, &[]).is_empty());
    assert!(generate(&spec, &[Transfer::write(12345, 0)]).is_empty());
    // Unaligned 2 bytes across a burst boundary touch two bursts.
    let c = generate(&spec, &[Transfer::read(63, 2)]);
    assert_eq!(c.iter().filter(|c| c.kind == CommandKind::Rd).count(), 2);
    // Addresses near the top of u64 must not overflow.
    let c = generate(&spec, &[Transfer::read(u64::MAX - 10, 100)]);
    assert_eq!(c.iter().filter(|c| c.kind == CommandKind::Rd).count(), 1);
}

#[test]
fn refresh_every_trefi_over_the_covered_time() {
    let spec = memspec("ddr4-1866").unwrap();
    let refi = spec.timing.refi;
    let opts = GenOptions {
        cover_cycles: 10 * refi,
        pacing: Pacing::Greedy,
    };
    let g = generate_for(&spec, &[Transfer::read(0, 1 << 16)], &opts).unwrap();
    let refs: Vec<u64> = g
        .commands
        .iter()
        .filter(|c| c.kind == CommandKind::Ref)
        .map(|c| c.cycle)
        .collect();
    // Due at k * tREFI for k = 1..9 (10 * tREFI is the end).
    assert_eq!(refs.len(), 9);
    assert_eq!(g.end_cycle, 10 * refi);
    for (k, t) in refs.iter().enumerate() {
        assert!(*t >= (k as u64 + 1) * refi && *t < (k as u64 + 1) * refi + 100);
    }
    let e = energy(&spec, &g.commands, g.end_cycle);
    assert_eq!(e.refs, 9);
    assert_eq!(e.cycles, 10 * refi);
}

#[test]
fn spread_pacing_covers_the_duration() {
    let spec = memspec("ddr4-1866").unwrap();
    let opts = GenOptions {
        cover_cycles: 100_000,
        pacing: Pacing::Spread,
    };
    let g = generate_for(&spec, &[Transfer::read(0, 64 * 1000)], &opts).unwrap();
    let rds: Vec<u64> = g
        .commands
        .iter()
        .filter(|c| c.kind == CommandKind::Rd)
        .map(|c| c.cycle)
        .collect();
    assert_eq!(rds.len(), 1000);
    // Burst i not before i * 100.
    assert!(rds.iter().enumerate().all(|(i, t)| *t >= i as u64 * 100));
    assert!(*rds.last().unwrap() >= 99_900);
}

#[test]
fn too_much_traffic_is_an_error_not_a_crash() {
    let spec = memspec("ddr4-1866").unwrap();
    let r = generate_for(
        &spec,
        &[Transfer::read(0, u64::MAX)],
        &GenOptions::default(),
    );
    assert!(r.is_err());
    assert!(generate(&spec, &[Transfer::read(0, u64::MAX)]).is_empty());
    let mut no_refresh = spec.clone();
    no_refresh.timing.refi = 0;
    let huge = GenOptions {
        cover_cycles: u64::MAX,
        pacing: Pacing::Spread,
    };
    assert!(generate_for(&no_refresh, &[Transfer::read(0, 64)], &huge).is_err());
}

/// Independent check of the timing rules the generator promises.
fn check_timing(spec: &MemSpec, cmds: &[Command]) {
    let t = &spec.timing;
    let n = spec.banks as usize;
    let group = |b: u32| spec.bank_group(b);
    let mut last_act: Vec<Option<u64>> = vec![None; n];
    let mut last_pre: Vec<Option<u64>> = vec![None; n];
    let mut open = vec![false; n];
    let mut last_col_bank: Vec<Option<(u64, bool)>> = vec![None; n];
    let mut acts: Vec<(u64, u32)> = Vec::new();
    let mut cols: Vec<(u64, u32, bool)> = Vec::new();
    let mut last_ref: Option<u64> = None;
    let mut prev: Option<u64> = None;
    for c in cmds {
        if let Some(p) = prev {
            assert!(c.cycle > p, "one command per cycle, in order: {c:?}");
        }
        prev = Some(c.cycle);
        let b = c.bank as usize;
        if let Some(r) = last_ref {
            if c.kind == CommandKind::Act {
                assert!(c.cycle >= r + t.rfc, "tRFC {c:?}");
            }
        }
        match c.kind {
            CommandKind::Act => {
                assert!(!open[b], "ACT to open bank {c:?}");
                if let Some(p) = last_pre[b] {
                    assert!(c.cycle >= p + t.rp, "tRP {c:?}");
                }
                if let Some(a) = last_act[b] {
                    assert!(c.cycle >= a + t.rc, "tRC {c:?}");
                }
                if let Some(&(a, g)) = acts.last() {
                    let rrd = if g == group(c.bank) { t.rrd_l } else { t.rrd_s };
                    assert!(c.cycle >= a + rrd, "tRRD {c:?}");
                }
                if acts.len() >= 4 {
                    assert!(c.cycle >= acts[acts.len() - 4].0 + t.faw, "tFAW {c:?}");
                }
                acts.push((c.cycle, group(c.bank)));
                last_act[b] = Some(c.cycle);
                open[b] = true;
            }
            CommandKind::Pre | CommandKind::PreA => {
                let banks: Vec<usize> = if c.kind == CommandKind::Pre {
                    vec![b]
                } else {
                    (0..n).filter(|&x| open[x]).collect()
                };
                for x in banks {
                    assert!(open[x], "PRE of closed bank {c:?}");
                    assert!(c.cycle >= last_act[x].unwrap() + t.ras, "tRAS {c:?}");
                    if let Some((ct, w)) = last_col_bank[x] {
                        let need = if w {
                            ct + t.wl + spec.burst_cycles() + t.wr
                        } else {
                            ct + t.rtp
                        };
                        assert!(c.cycle >= need, "tWR/tRTP {c:?}");
                    }
                    open[x] = false;
                    last_pre[x] = Some(c.cycle);
                }
            }
            CommandKind::Rd | CommandKind::Wr => {
                let w = c.kind == CommandKind::Wr;
                assert!(open[b], "column command to closed bank {c:?}");
                assert!(c.cycle >= last_act[b].unwrap() + t.rcd, "tRCD {c:?}");
                if let Some(&(ct, g, was_w)) = cols.last() {
                    let same = g == group(c.bank);
                    let ccd = if same { t.ccd_l } else { t.ccd_s };
                    assert!(c.cycle >= ct + ccd, "tCCD {c:?}");
                    if was_w && !w {
                        let wtr = if same { t.wtr_l } else { t.wtr_s };
                        assert!(
                            c.cycle >= ct + t.wl + spec.burst_cycles() + wtr,
                            "tWTR {c:?}"
                        );
                    }
                }
                cols.push((c.cycle, group(c.bank), w));
                last_col_bank[b] = Some((c.cycle, w));
            }
            CommandKind::Ref => {
                assert!(open.iter().all(|o| !o), "REF with open banks {c:?}");
                for x in 0..n {
                    if let Some(p) = last_pre[x] {
                        assert!(c.cycle >= p + t.rp, "REF tRP {c:?}");
                    }
                    if let Some(a) = last_act[x] {
                        assert!(c.cycle >= a + t.rc, "REF tRC {c:?}");
                    }
                }
                last_ref = Some(c.cycle);
            }
        }
    }
}

#[test]
fn mixed_traffic_respects_timing_on_every_memspec() {
    // A deterministic pseudo-random mix of reads and writes.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut reqs = Vec::new();
    for i in 0..300 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let addr = x % (1 << 24);
        let len = 1 + (x >> 40) % 2000;
        reqs.push(if i % 3 == 0 {
            Transfer::write(addr, len)
        } else {
            Transfer::read(addr, len)
        });
    }
    for name in ["ddr4-1866", "ddr4-2400", "lpddr4-3200"] {
        let spec = memspec(name).unwrap();
        let opts = GenOptions {
            cover_cycles: 200_000,
            pacing: Pacing::Greedy,
        };
        let g = generate_for(&spec, &reqs, &opts).unwrap();
        check_timing(&spec, &g.commands);
        assert!(g.commands.iter().any(|c| c.kind == CommandKind::Ref));
        let e = energy(&spec, &g.commands, g.end_cycle);
        assert!(e.total > 0.0 && e.total.is_finite(), "{name}");
        // Deterministic.
        assert_eq!(g, generate_for(&spec, &reqs, &opts).unwrap());
    }
}

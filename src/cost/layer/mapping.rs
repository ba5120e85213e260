//! The processing-pass blocking and its search. n images, p filters and q
//! channels share a PE set's scratchpads; r sets work on different
//! channels and t on different filters (r·t sets on the array at once);
//! the ifmap/psum banks of the global buffer are split per layer.
//!
//! The search enumerates a finite candidate list per parameter (every value
//! up to 32, powers of two, balanced block sizes ceil(D/k) and the largest
//! value the scratchpads allow), stops after `MAX_EVALS` evaluations, keeps
//! the candidate of least estimated energy (ties: fewer cycles; then the
//! first in enumeration order), and so always terminates deterministically.

use super::cycles::{cycles, Cycles};
use super::energy::{on_chip, static_pj};
use super::error::{CostError, Limit, MappingFault, MappingRefusal, Named, PassShape};
use super::geometry::Geometry;
use super::traffic::{traffic, Raw, OFMAP, PSUM};
use crate::ir::Convs;
use crate::ir::Mapping;
use crate::model::{Arch, Layer, MappingHint};
use crate::options::Objective;

/// What the search charges for DRAM: per byte moved, and its idle
/// (power-down) power over the layer's latency. The estimate charges the
/// idle power over the whole latency; the final figure only over the time
/// the transfers leave idle (docs/layer-model.md §7).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DramPrice {
    pub pj_per_byte: f64,
    pub idle_mw: f64,
}

impl DramPrice {
    /// mW x ns = pJ.
    fn idle_pj(&self, arch: &Arch, cycles: u128) -> f64 {
        self.idle_mw * cycles as f64 * 1e9 / arch.clock_hz.max(1) as f64
    }
}

/// A blocking with everything it implies.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub mapping: Mapping,
    pub raw: Raw,
    pub cycles: Cycles,
    pub energy_estimate: f64,
    /// The energy the search ranks by: `energy_estimate`, or the arch's
    /// own prices of the counts (`search.*`, [`objective_energy`]).
    pub search_energy: f64,
    /// Candidates evaluated, and whether the budget cut the search short.
    pub evaluated: u64,
    pub truncated: bool,
    pub hand_fixed: bool,
}

/// Upper bound on evaluated candidates.
pub const MAX_EVALS: u64 = 400_000;

/// The first limit `m` violates, or `None` if it fits.
pub fn violation(geo: &Geometry, c: &Convs, arch: &Arch, m: &Mapping) -> Option<Limit> {
    let mul = |a: u64, b: u64| (a as u128) * (b as u128);
    let eb = arch.element_bytes() as u128;
    let bank = arch.glb_bank as u128;
    // Images pass through a PE one after another (JSSC 2017: "multiple
    // ifmaps can also be processed sequentially through the array"), so n
    // does not multiply the ifmap and psum scratchpads.
    let need = mul(geo.need_ifmap, m.q);
    if need > arch.rf_ifmap as u128 {
        return Some(Limit::IfmapRf {
            window: geo.need_ifmap,
            q: m.q,
            need,
            rf: arch.rf_ifmap,
        });
    }
    let need = mul(geo.need_filter, m.q) * m.p as u128;
    if need > arch.rf_filter as u128 {
        return Some(Limit::FilterRf {
            row: geo.need_filter,
            q: m.q,
            p: m.p,
            need,
            rf: arch.rf_filter,
        });
    }
    let need = mul(geo.need_psum, m.p);
    if need > arch.rf_psum as u128 {
        return Some(Limit::PsumRf {
            psums: geo.need_psum,
            p: m.p,
            need,
            rf: arch.rf_psum,
        });
    }
    let a = &geo.alloc;
    if mul(m.r, m.t) > a.replicas as u128 {
        return Some(Limit::Array {
            r: m.r,
            t: m.t,
            piece: a.piece,
            replicas: a.replicas,
            array: a.array,
        });
    }
    if m.ifmap_banks == 0 || m.ifmap_banks > arch.glb_banks {
        return Some(Limit::IfmapBanks {
            asked: m.ifmap_banks,
            banks: arch.glb_banks,
        });
    }
    // A pass needs one row-fold piece's part of each slice at a time.
    let u = geo.max_piece_ifmap() as u128;
    let bytes = mul(m.n, m.q) * m.r as u128 * u * eb;
    if bytes > m.ifmap_banks as u128 * bank {
        return Some(Limit::IfmapBuffer {
            n: m.n,
            q: m.q,
            r: m.r,
            slice: u,
            bytes,
            need: bytes.div_ceil(bank.max(1)),
            bank: arch.glb_bank,
            given: m.ifmap_banks,
            banks: arch.glb_banks,
        });
    }
    let u = geo.max_piece_filter() as u128;
    let slices = mul(m.p, m.t) * mul(m.q, m.r);
    let bytes = slices * u * eb;
    if bytes > arch.glb_filter_banks as u128 * bank {
        return Some(Limit::FilterBuffer {
            p: m.p,
            t: m.t,
            q: m.q,
            r: m.r,
            slices,
            slice: u,
            bytes,
            filter_banks: arch.glb_filter_banks,
            bank: arch.glb_bank,
        });
    }
    if !arch.psum_spill {
        let spilled = super::traffic::spilled(geo, c, arch, m);
        if spilled > 0 {
            return Some(Limit::PsumSpill {
                spilled_bytes: spilled * eb,
                psum_banks: m.psum_banks,
                bank: arch.glb_bank,
            });
        }
    }
    None
}

/// A hand-given value outside its dimension.
fn out_of_range(h: &MappingHint, c: &Convs, arch: &Arch) -> Option<Limit> {
    let dims = [
        ("n", h.n, c.images, "images per group"),
        ("p", h.p, c.filters, "filters per group"),
        ("q", h.q, c.channels, "channels per group"),
        ("r", h.r, c.channels, "channels per group"),
        ("t", h.t, c.filters, "filters per group"),
        (
            "ifmap_banks",
            h.ifmap_banks,
            arch.glb_banks,
            "banks (glb.banks)",
        ),
    ];
    dims.iter().find_map(|&(name, v, max, what)| match v {
        Some(0) => Some(Limit::HintZero { name }),
        Some(value) if value > max => Some(Limit::HintTooLarge {
            name,
            value,
            max,
            what,
        }),
        _ => None,
    })
}

/// Candidate values of a parameter in 1..=max for a dimension of size d.
fn candidates(max: u64, d: u64, fixed: Option<u64>) -> Vec<u64> {
    if let Some(v) = fixed {
        return vec![v];
    }
    let max = max.min(d.max(1)).max(1);
    let mut v: Vec<u64> = (1..=max.min(32)).collect();
    v.extend((0..64).map(|k| 1u64 << k).take_while(|&x| x <= max));
    v.extend(
        (1..=32u64)
            .map(|k| d.div_ceil(k))
            .filter(|&x| x >= 1 && x <= max),
    );
    v.push(max);
    v.sort_unstable();
    v.dedup();
    v
}

struct Ctx<'a> {
    geo: &'a Geometry,
    c: &'a Convs,
    arch: &'a Arch,
    dram: DramPrice,
}

impl Ctx<'_> {
    fn evaluate(&self, m: &Mapping) -> Chosen {
        let raw = traffic(self.geo, self.c, self.arch, m);
        let trips = raw.glb[PSUM][0] + raw.dram[PSUM][0];
        // Everything the ofmap network writes to the global buffer.
        let writes = raw.glb[PSUM][1] + raw.glb[OFMAP][1];
        let dram_bytes: u128 =
            raw.dram.iter().map(|t| t[0] + t[1]).sum::<u128>() * self.arch.element_bytes() as u128;
        let cy = cycles(self.geo, self.c, self.arch, m, trips, writes, dram_bytes);
        let est = energy_score(&raw, self.arch, self.dram, cy.total);
        Chosen {
            mapping: *m,
            search_energy: objective_energy(&raw, self.arch, est),
            raw,
            cycles: cy,
            energy_estimate: est,
            evaluated: 0,
            truncated: false,
            hand_fixed: false,
        }
    }
}

/// The search's energy: on-chip energy of the counts, DRAM bytes at the
/// memspec's streaming price, the DRAM's idle power and the chip's static
/// power over `cycles` (pJ).
pub fn energy_score(raw: &Raw, arch: &Arch, dram: DramPrice, cycles: u128) -> f64 {
    let dram_bytes: u128 =
        raw.dram.iter().map(|t| t[0] + t[1]).sum::<u128>() * arch.element_bytes() as u128;
    energy_with_dram(
        raw,
        arch,
        dram_bytes as f64 * dram.pj_per_byte + dram.idle_pj(arch, cycles),
        cycles,
    )
}

/// The energy the search and the final choice rank a candidate by: with
/// `search.*` prices (the chip's mapper's model), the counts of `raw` at
/// those prices (per element access at each level, per charged MAC);
/// otherwise `full`, cnnc's own energy of the same candidate.
pub fn objective_energy(raw: &Raw, arch: &Arch, full: f64) -> f64 {
    let Some(p) = arch.search_prices else {
        return full;
    };
    let level = |l: &super::traffic::Level| l.iter().map(|t| t[0] + t[1]).sum::<u128>() as f64;
    p.rf as f64 * level(&raw.rf)
        + p.noc as f64 * level(&raw.noc)
        + p.glb as f64 * level(&raw.glb)
        + p.dram as f64 * level(&raw.dram)
        + p.mac as f64 * super::energy::charged_macs(raw, arch) as f64
}

/// On-chip energy of the counts, `dram_pj` for the DRAM, and the chip's
/// static power over `cycles` (pJ).
pub fn energy_with_dram(raw: &Raw, arch: &Arch, dram_pj: f64, cycles: u128) -> f64 {
    let e = on_chip(raw, arch);
    e.rf + e.noc + e.mac + e.glb + dram_pj + static_pj(arch, cycles)
}

/// The blocking of `m` with each ifmap/psum bank split worth trying for
/// the memory timeline, `m`'s own first: the search's options and twice
/// the ifmaps a pass (or a strip of q·r channels) needs, so the next
/// pass's can come while one runs. A hand-fixed `ifmap_banks` is kept.
pub fn splits(
    layer: &Layer,
    geo: &Geometry,
    c: &Convs,
    arch: &Arch,
    dram: DramPrice,
    m: &Mapping,
) -> Vec<Chosen> {
    let fixed = layer.mapping.and_then(|h| h.ifmap_banks);
    let ctx = Ctx { geo, c, arch, dram };
    let mut banks = vec![m.ifmap_banks];
    if fixed.is_none() {
        let options = bank_options(&ctx, m.n, m.q, m.r, None);
        let doubled: Vec<u64> = options.iter().map(|&b| 2 * b).collect();
        for b in options.into_iter().chain(doubled) {
            if b <= arch.glb_banks && !banks.contains(&b) {
                banks.push(b);
            }
        }
    }
    banks
        .into_iter()
        .map(|ib| Mapping {
            ifmap_banks: ib,
            psum_banks: arch.glb_banks.saturating_sub(ib),
            ..*m
        })
        .filter(|x| violation(geo, c, arch, x).is_none())
        .map(|x| {
            let mut ch = ctx.evaluate(&x);
            ch.hand_fixed = layer.mapping.is_some();
            ch
        })
        .collect()
}

/// Bank splits worth trying: the fewest ifmap banks a pass needs, and the
/// fewest that keep every channel of the n images resident.
fn bank_options(ctx: &Ctx, n: u64, q: u64, r: u64, fixed: Option<u64>) -> Vec<u64> {
    if let Some(b) = fixed {
        return vec![b];
    }
    let bank = ctx.arch.glb_bank.max(1) as u128;
    let eb = ctx.arch.element_bytes() as u128 * n as u128;
    let piece = ctx.geo.max_piece_ifmap() as u128 * eb;
    let strip = ctx.geo.max_strip_ifmap() as u128 * eb;
    let pass = (piece * q as u128 * r as u128).div_ceil(bank).max(1);
    let keep = (strip * q as u128 * r as u128).div_ceil(bank).max(1);
    let all = (strip * ctx.c.channels as u128).div_ceil(bank).max(1);
    let banks = ctx.arch.glb_banks as u128;
    let mut v: Vec<u64> = [pass, keep, all]
        .iter()
        .filter(|&&b| b <= banks)
        .map(|&b| b as u64)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// PEs busy at once under `m`: one piece on each of the r x t sets that
/// have channels and filters to work on.
pub fn active_pes(geo: &Geometry, c: &Convs, arch: &Arch, m: &Mapping) -> u64 {
    let sets = m.r.min(c.channels).saturating_mul(m.t.min(c.filters));
    sets.saturating_mul(geo.alloc.piece.area())
        .min(arch.array.area())
}

/// Where a candidate stands in the search's order: the objective, then
/// more active PEs, then fewer cycles (then the first in enumeration order).
pub fn rank(
    geo: &Geometry,
    c: &Convs,
    arch: &Arch,
    objective: Objective,
    x: &Chosen,
) -> (f64, std::cmp::Reverse<u64>, u128) {
    let score = objective.score(x.search_energy, x.cycles.total as f64);
    (
        score,
        std::cmp::Reverse(active_pes(geo, c, arch, &x.mapping)),
        x.cycles.total,
    )
}

fn better(ctx: &Ctx, objective: Objective, a: &Chosen, b: &Chosen) -> bool {
    let key = |x| rank(ctx.geo, ctx.c, ctx.arch, objective, x);
    key(a).partial_cmp(&key(b)) == Some(std::cmp::Ordering::Less)
}

/// Candidates `choose` keeps per strip width.
pub const KEEP: usize = 3;

/// Chooses the blocking (the best [`KEEP`], best first): the hand-fixed fields of `layer.mapping` are kept,
/// the rest searched.
///
/// `on_array`: the layer is lowered onto the array and simulated whole
/// (row-stationary), so a searched `r > 1` must be one whose channel sets
/// add their psums inside the array (`traffic::adds_across_sets`): the
/// array has no other place to add parallel sets' contributions to the
/// same outputs (the chip's own r = 2 mappings, CONV4-5, stack; JSSC 2017
/// Table III). A hand-fixed `r` is kept as given.
pub fn choose(
    layer: &Layer,
    geo: &Geometry,
    c: &Convs,
    arch: &Arch,
    dram: DramPrice,
    objective: Objective,
    on_array: bool,
) -> Result<Vec<Chosen>, CostError> {
    let h = layer.mapping.unwrap_or_default();
    let hand = layer.mapping.is_some();
    let refuse = |fault: MappingFault, limit: Limit| {
        CostError::NoMapping(Box::new(MappingRefusal {
            fault,
            layer: Named {
                name: layer.name.clone(),
                span: layer.span,
            },
            arch: Named {
                name: arch.name.clone(),
                span: arch.span,
            },
            limit,
            pass: PassShape {
                images: c.images,
                filters: c.filters,
                channels: c.channels,
                groups: c.groups,
                set: geo.alloc.set,
                pieces: geo.alloc.row_folds * geo.alloc.col_folds,
                piece: geo.alloc.piece,
            },
        }))
    };
    if let Some(why) = out_of_range(&h, c, arch) {
        return Err(refuse(MappingFault::Hint, why));
    }
    let ctx = Ctx { geo, c, arch, dram };
    let a = arch;
    // The best `KEEP` candidates, best first (the whole-layer simulation
    // takes the final choice among them).
    let mut best: Vec<Chosen> = Vec::new();
    let mut evaluated = 0u64;
    let mut truncated = false;
    'search: for n in candidates(c.images, c.images, h.n) {
        for p in candidates(a.rf_psum / geo.need_psum.max(1), c.filters, h.p) {
            let qmax = (a.rf_ifmap / geo.need_ifmap.max(1))
                .min(a.rf_filter / (geo.need_filter * p).max(1));
            for q in candidates(qmax, c.channels, h.q) {
                for r in candidates(geo.alloc.replicas, c.channels.div_ceil(q), h.r) {
                    for t in candidates(geo.alloc.replicas / r.max(1), c.filters.div_ceil(p), h.t) {
                        for ib in bank_options(&ctx, n, q, r, h.ifmap_banks) {
                            let m = Mapping {
                                n,
                                p,
                                q,
                                r,
                                t,
                                e: geo.alloc.piece.w,
                                ifmap_banks: ib,
                                psum_banks: a.glb_banks.saturating_sub(ib),
                            };
                            if violation(geo, c, a, &m).is_some() {
                                continue;
                            }
                            if on_array
                                && h.r.is_none()
                                && r > 1
                                && !super::traffic::adds_across_sets(geo, a, &m)
                            {
                                continue;
                            }
                            if evaluated >= MAX_EVALS {
                                truncated = true;
                                break 'search;
                            }
                            evaluated += 1;
                            let cand = ctx.evaluate(&m);
                            let at = best
                                .iter()
                                .position(|b| better(&ctx, objective, &cand, b))
                                .unwrap_or(best.len());
                            if at < KEEP {
                                best.insert(at, cand);
                                best.truncate(KEEP);
                            }
                        }
                    }
                }
            }
        }
    }
    if !best.is_empty() {
        for b in &mut best {
            b.evaluated = evaluated;
            b.truncated = truncated;
            b.hand_fixed = hand;
        }
        return Ok(best);
    }
    {
        {
            // The smallest blocking (with the hand-fixed values) is the most
            // permissive one; its first violated limit is the tightest.
            let m = Mapping {
                n: h.n.unwrap_or(1),
                p: h.p.unwrap_or(1),
                q: h.q.unwrap_or(1),
                r: h.r.unwrap_or(1),
                t: h.t.unwrap_or(1),
                e: geo.alloc.piece.w,
                ifmap_banks: h.ifmap_banks.unwrap_or(a.glb_banks),
                psum_banks: a
                    .glb_banks
                    .saturating_sub(h.ifmap_banks.unwrap_or(a.glb_banks)),
            };
            let why = violation(geo, c, a, &m).unwrap_or(Limit::NoCandidate);
            let fixed_any = h != MappingHint::default();
            // All banks to ifmaps, or (for psums that must stay on chip)
            // all but one to psums.
            let base_fits = [a.glb_banks, 1].iter().any(|&ib| {
                let m0 = Mapping {
                    n: 1,
                    p: 1,
                    q: 1,
                    r: 1,
                    t: 1,
                    e: geo.alloc.piece.w,
                    ifmap_banks: ib,
                    psum_banks: a.glb_banks - ib,
                };
                violation(geo, c, a, &m0).is_none()
            });
            let fault = if fixed_any && base_fits {
                MappingFault::Hint
            } else {
                MappingFault::NoneFits
            };
            Err(refuse(fault, why))
        }
    }
}

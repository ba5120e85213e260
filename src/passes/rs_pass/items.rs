//! The delivery items of a processing pass: every element each network
//! must bring to each PE, with the window in which it may arrive.

use super::layout::{Chain, Geometry, NoFit};
use crate::ir::{plane_src, Net, Src, SrcKind};
use crate::passes::deliver::Items;

/// One target's send window: (release, deadline, (PE, address)).
pub(super) type Window = (u64, u64, (u32, u32));

/// Most delivery items one processing pass may list (about 48 B each),
/// and most targets (8 B each): counted before the list is allocated, so a
/// pass that holds a huge batch at once (a GLB of 2^64 - 1 bytes with 10^9
/// images) is declined instead of aborting on the allocation. The timing
/// search holds two builds at a time: about 0.7 GB at the limits.
pub const MAX_DELIVERY_ITEMS: u64 = 1 << 23;
pub const MAX_DELIVERY_TARGETS: u64 = 1 << 25;

/// Counted with checked products: `None` past `u64`.
fn product(factors: &[u64]) -> Option<u64> {
    factors.iter().try_fold(1u64, |a, &f| a.checked_mul(f))
}

pub(super) fn items(g: &Geometry, chains: &[Chain]) -> Result<Items, NoFit> {
    let sh = g.shape;
    let (x0, _) = sh.kernel_rows;
    let (y0, _) = sh.out_rows;
    let q = sh.q();
    // Room for every filter row item and returning psum, and one item per
    // input element and channel (more where a multicast splits): growing
    // the vector from empty copied it over and over.
    let filters: u64 = chains.iter().map(|c| c.filters).sum();
    let channels = sh.channels.len() as u64;
    let filter_items = product(&[filters, channels, g.rp, q, g.taps]);
    let psum_items = if sh.incoming {
        product(&[filters, g.width(), sh.images, g.windows])
    } else {
        Some(0)
    };
    let input_rows = sh.kernel_rows.1.saturating_sub(x0)
        + sh.out_rows
            .1
            .saturating_sub(y0 + 1)
            .saturating_mul(g.stride.h);
    let input_items = product(&[channels, q, sh.images, input_rows, g.x.w]);
    // Targets: a filter row goes to every PE of its chain row, a returning
    // psum to one PE, an input element to at least one.
    let counts = (|| {
        let (f, p, i) = (filter_items?, psum_items?, input_items?);
        let items = f.checked_add(p)?.checked_add(i)?;
        let targets = f.checked_mul(g.width())?.checked_add(p)?.checked_add(i)?;
        Some((items, targets))
    })();
    let (n_items, n_targets) = match counts {
        Some((i, t)) if i <= MAX_DELIVERY_ITEMS && t <= MAX_DELIVERY_TARGETS => (i, t),
        _ => {
            return Err(NoFit(format!(
                "the processing pass delivers {} items to {} targets ({} images at once), over the limit of {MAX_DELIVERY_ITEMS} items and {MAX_DELIVERY_TARGETS} targets a pass",
                counts.map_or("more than 2^64".to_string(), |c| c.0.to_string()),
                counts.map_or("more than 2^64".to_string(), |c| c.1.to_string()),
                sh.images
            )))
        }
    };
    let mut out = Items::with_capacity(n_items as usize, n_targets as usize);
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
    Ok(out)
}

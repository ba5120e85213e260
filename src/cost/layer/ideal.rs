//! The bound a layer-pass could reach on an arch, whatever the dataflow:
//! the longest of the array computing only necessary products, the DRAM
//! link moving only compulsory bytes, and each network carrying only the
//! elements it must (docs/stats.md, `ideal_cycles`). Written from the
//! layer's definition, not from any mapping, so every dataflow of a pass
//! is held against the same figure.

use serde::Serialize;

use crate::model::{Arch, Layer};
use crate::options::PassKind;

/// The bound and what sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ideal {
    /// The largest of the bounds below.
    pub cycles: u64,
    /// Which bound it is: `compute`, `dram`, `ifmap_network`,
    /// `filter_network` or `ofmap_network` (ties: the first named).
    pub bound_by: &'static str,
    /// Necessary MACs / array PEs.
    pub compute_cycles: u64,
    /// Compulsory DRAM bytes (every operand element some product reads,
    /// once; every result element, once) over the DRAM link.
    pub dram_cycles: u64,
    /// The compulsory bytes themselves.
    pub dram_bytes: u64,
    /// Elements each network must carry (each distinct operand element
    /// once; each result once) / its width per cycle.
    pub ifmap_network_cycles: u64,
    pub filter_network_cycles: u64,
    pub ofmap_network_cycles: u64,
}

/// Beyond this many window positions per axis the reached input is not
/// counted element by element; the bound then leaves the input out of the
/// compulsory traffic (a lower bound stays a lower bound).
const MAX_REACH_WORK: u128 = 1 << 24;

/// The bound of `pass` of `l` on `arch`.
pub fn ideal(l: &Layer, pass: PassKind, arch: &Arch) -> Ideal {
    let t = Tensors::of(l);
    let necessary_macs = necessary_macs(l);
    // The pass as a forward convolution of an ifmap-side operand with a
    // filter-side operand (the role swap of `ir::Convs`), and its result.
    let (ifmap_side, filter_side, result) = match pass {
        PassKind::Igrad => (t.output, t.weights, t.input_grad),
        PassKind::Fgrad if l.transposed => (t.output, t.input_read, t.weights),
        PassKind::Fgrad => (t.input_read, t.output, t.weights),
        _ => (t.input_read, t.weights, t.output),
    };
    let pes = arch.array.area().max(1) as u128;
    let compute = necessary_macs.div_ceil(pes);
    let bytes = (ifmap_side + filter_side + result).saturating_mul(arch.element_bytes() as u128);
    let dram = arch.dram_link_cycles(bytes);
    let over = |n: u128, width: u64| n.div_ceil(width.max(1) as u128);
    let nets = [
        over(ifmap_side, arch.noc_ifmap),
        over(filter_side, arch.noc_filter),
        over(result, arch.noc_ofmap),
    ];
    let named = [
        ("compute", compute),
        ("dram", dram),
        ("ifmap_network", nets[0]),
        ("filter_network", nets[1]),
        ("ofmap_network", nets[2]),
    ];
    let mut best = named[0];
    for x in named {
        if x.1 > best.1 {
            best = x;
        }
    }
    let c = |x: u128| u64::try_from(x).unwrap_or(u64::MAX);
    Ideal {
        cycles: c(best.1),
        bound_by: best.0,
        compute_cycles: c(compute),
        dram_cycles: c(dram),
        dram_bytes: c(bytes),
        ifmap_network_cycles: c(nets[0]),
        filter_network_cycles: c(nets[1]),
        ofmap_network_cycles: c(nets[2]),
    }
}

/// Products of a real input element and a real weight: the same set for
/// the three passes (each is one of the layer's products, read another
/// way), without padding or inserted zeros.
pub fn necessary_macs(l: &Layer) -> u128 {
    let axis = |len: u64, out: u64, taps: u64, s: u64, d: u64, pad: u64| {
        if l.transposed {
            // Input position y scatters to output y·s + k·d - pad.
            pairs(len, out, taps, s, d, pad)
        } else {
            pairs(out, len, taps, s, d, pad)
        }
    };
    let (rows, cols) = per_axis(l, axis);
    l.batch as u128 * l.filters as u128 * l.channels_per_group() as u128 * rows * cols
}

/// Pairs (position `i < from`, tap `k < taps`) with `i·s + k·d - pad` in
/// `[0, to)`, counted per tap in closed form.
fn pairs(from: u64, to: u64, taps: u64, s: u64, d: u64, pad: u64) -> u128 {
    let (s, d, pad, to) = (s.max(1) as i128, d as i128, pad as i128, to as i128);
    let from = from as i128;
    (0..taps as i128)
        .map(|k| {
            // i in [lo, hi): 0 <= i·s + k·d - pad < to.
            let off = k * d - pad;
            let lo = ((-off).max(0) + s - 1) / s;
            let hi = (((to - off).max(0) + s - 1) / s).min(from);
            (hi - lo).max(0) as u128
        })
        .sum()
}

/// `f(input length, output length, taps, stride, dilation, pad)` for the
/// layer's rows, then its columns.
fn per_axis<T>(l: &Layer, f: impl Fn(u64, u64, u64, u64, u64, u64) -> T) -> (T, T) {
    (
        f(
            l.ifmap.h,
            l.ofmap.h,
            l.filter.h,
            l.stride.h,
            l.dilation.h,
            l.pad.h,
        ),
        f(
            l.ifmap.w,
            l.ofmap.w,
            l.filter.w,
            l.stride.w,
            l.dilation.w,
            l.pad.w,
        ),
    )
}

/// Element counts of the layer's tensors.
struct Tensors {
    /// Input elements some window reads.
    input_read: u128,
    /// The input gradient: one element per input element.
    input_grad: u128,
    weights: u128,
    /// The output (or its error).
    output: u128,
}

impl Tensors {
    fn of(l: &Layer) -> Tensors {
        let n = l.batch as u128;
        let c = l.channels as u128;
        let area = |h: u64, w: u64| h as u128 * w as u128;
        let input = n * c * area(l.ifmap.h, l.ifmap.w);
        let input_read = if l.transposed {
            // Every input element of a transposed layer is scattered to
            // the output.
            input
        } else {
            let (rows, cols) = per_axis(l, reached);
            n * c * rows as u128 * cols as u128
        };
        Tensors {
            input_read,
            input_grad: input,
            weights: l.filters as u128
                * l.channels_per_group() as u128
                * area(l.filter.h, l.filter.w),
            output: n * l.filters as u128 * area(l.ofmap.h, l.ofmap.w),
        }
    }
}

/// Positions of an input axis of `len` that some tap reads: `i·s + k·d -
/// pad` for output `i < out` and tap `k < taps`; 0 when counting them
/// would take more than [`MAX_REACH_WORK`] steps.
fn reached(len: u64, out: u64, taps: u64, stride: u64, dilation: u64, pad: u64) -> u64 {
    if out as u128 * taps as u128 > MAX_REACH_WORK || len as u128 > MAX_REACH_WORK {
        return 0;
    }
    let mut hit = vec![false; len as usize];
    for i in 0..out {
        for k in 0..taps {
            let at = i as u128 * stride as u128 + k as u128 * dilation as u128;
            if let Some(x) = at.checked_sub(pad as u128).filter(|&x| x < len as u128) {
                hit[x as usize] = true;
            }
        }
    }
    hit.iter().filter(|&&h| h).count() as u64
}

#[cfg(test)]
mod tests {
    use super::{pairs, reached};

    #[test]
    fn pairs_count_taps_inside_the_input() {
        // 5 outputs, 3 taps, stride 1, pad 1 over 5 positions: 15 - 2 edge taps.
        assert_eq!(pairs(5, 5, 3, 1, 1, 1), 13);
        // Stride 2, 2 outputs over 6 positions, no padding: every tap inside.
        assert_eq!(pairs(2, 6, 3, 2, 1, 0), 6);
    }

    #[test]
    fn a_1x1_stride_2_window_reads_every_other_position() {
        // 8 positions, 1x1 filter, stride 2, no padding: 4 outputs read 0, 2, 4, 6.
        assert_eq!(reached(8, 4, 1, 2, 1, 0), 4);
    }

    #[test]
    fn padding_is_not_read() {
        // 5 positions padded by 1, 3 taps, stride 1: 5 outputs read all 5.
        assert_eq!(reached(5, 5, 3, 1, 1, 1), 5);
        // Floor rule: 6 positions, 3 taps, stride 2 -> 2 outputs read 0..=4.
        assert_eq!(reached(6, 2, 3, 2, 1, 0), 5);
    }
}

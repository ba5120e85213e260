//! Grad-Flow on transposed and dilated layers, mapped directly: the
//! gradient schedules already are such convolutions, so each pass that is
//! one of them runs that schedule on an equivalent ordinary layer, with the
//! tensors renamed.
//!
//! - Forward of a transposed layer `O[i·s + a - p] += X[i]·W[a]` is the input
//!   gradient of an ordinary layer whose error is X (stride s, no padding):
//!   the gflow igrad schedule, X in place of the error. Its result covers
//!   the whole scatter; the rows the padding crops are computed too (they
//!   are real products) and written to a discard area after the output.
//! - Filter gradient of a transposed layer `dW[a] = Σ X[i]·dO[i·s + a - p]`
//!   is the filter gradient of an ordinary layer with input dO (pad p,
//!   stride s) and error X: the gflow fgrad schedule, the two renamed.
//! - Forward of a dilated stride-1 layer `O[o] = Σ Xp[o + a·d]·W[a]` is the
//!   filter gradient of an ordinary layer with input X (pad p, stride d)
//!   and error W: the gflow fgrad schedule, W in place of the error.
//!
//! - Input gradient of a dilated stride-1 layer (of its padded input, as
//!   for every ordinary layer) `dXp[h] = Σ dO[h - a·d]·W[a]` is, with the
//!   filter flipped (`a' = k-1-a`) and dO padded by `(k-1)·d`, the dilated
//!   forward pass `dXp[h] = Σ dOp[h + a'·d]·Wflip[a']`: the fgrad schedule
//!   of an ordinary layer with input dO (pad (k-1)·d, stride d) and error
//!   Wflip.
//!
//! The other passes (a transposed layer's input gradient, a dilated layer's
//! filter gradient and strided passes) are not one of these schedules and
//! are refused with the way to run them; they multiply no inserted zeros
//! (only padding), so row-stationary loses nothing on them.

use super::{gflow_fgrad_set, gflow_igrad_set, PassError};
use crate::diag::{Code, Diagnostic};
use crate::ir::Slot;
use crate::ir::{LogicalSet, Module, OutKind, Src, SrcKind};
use crate::model::{Hw, Layer};
use crate::options::PassKind;

/// The set of pass `m.pass` of a transposed or dilated layer, grouped by `g`.
pub fn gflow_kind_set(m: &Module, g: i64) -> Result<LogicalSet, PassError> {
    let l = &m.layer;
    let (mul, add) = (m.arch.pipeline_mul, m.arch.pipeline_add);
    let one = Hw::square(1);
    let refused = |why: &str| PassError::refused(refusal(l, why));
    let equivalent = |ifmap: Hw, filter: Hw, stride: Hw, pad: Hw| {
        Layer::from_sizes(&l.name, ifmap, 1, filter, 1, stride, pad, 1, 1)
            .map(|mut e| {
                e.span = l.span;
                e
            })
            .ok_or_else(|| PassError::internal("gflow-map", "no equivalent ordinary layer"))
    };
    match (l.transposed, m.pass) {
        (true, PassKind::Forward) if l.dilation.is_one() => {
            let (s, k, p, o) = (l.stride, l.filter, l.pad, l.ofmap);
            // The full scatter, plus the rows output_pad adds beyond it.
            let full = |i: u64, s: u64, k: u64| (i - 1) * s + k;
            let extra = |op: u64, p: u64| op.saturating_sub(p);
            let ifmap = Hw::new(
                full(l.ifmap.h, s.h, k.h) + extra(l.output_pad.h, p.h),
                full(l.ifmap.w, s.w, k.w) + extra(l.output_pad.w, p.w),
            );
            let e = equivalent(ifmap, k, s, Hw::default())?;
            if e.ofmap != l.ifmap {
                return Err(PassError::internal("gflow-map", "equivalent layer has another error shape"));
            }
            let mut set = gflow_igrad_set(&e, g, mul, add).map_err(|d| regroup(d, l))?;
            rename(&mut set, &[(SrcKind::Error, SrcKind::Ifmap)]);
            crop_outputs(&mut set, p, o);
            explain(&mut set, format!("transposed forward as the igrad schedule of a {} layer: its error is X, its gradient O before the pad {p} crop; cropped rows go to the discard area after row {}", e.ifmap, o.h));
            set.out_kind = OutKind::Ofmap;
            Ok(set)
        }
        (true, PassKind::Fgrad) if l.dilation.is_one() => {
            let e = equivalent(l.ofmap, l.filter, l.stride, l.pad)?;
            if e.ofmap != l.ifmap {
                return Err(PassError::internal("gflow-map", "equivalent layer has another error shape"));
            }
            let mut set = gflow_fgrad_set(&e, g, mul, add).map_err(|d| regroup(d, l))?;
            rename(
                &mut set,
                &[(SrcKind::Ifmap, SrcKind::Error), (SrcKind::Error, SrcKind::Ifmap)],
            );
            explain(&mut set, format!("transposed fgrad as the fgrad schedule of a {} layer: its input is dO, its error X", e.ifmap));
            Ok(set)
        }
        (false, PassKind::Forward) if l.stride == one => {
            let e = equivalent(l.ifmap, l.ofmap, l.dilation, l.pad)?;
            if e.ofmap != l.filter {
                return Err(PassError::internal("gflow-map", "equivalent layer has another error shape"));
            }
            let mut set = gflow_fgrad_set(&e, g, mul, add).map_err(|d| regroup(d, l))?;
            rename(&mut set, &[(SrcKind::Error, SrcKind::Filter)]);
            set.out_kind = OutKind::Ofmap;
            explain(&mut set, format!("dilated forward as the fgrad schedule of a layer with stride {}: its error is W, its filter gradient O", l.dilation));
            Ok(set)
        }
        (false, PassKind::Igrad) if l.stride == one => {
            let pad = Hw::new((l.filter.h - 1) * l.dilation.h, (l.filter.w - 1) * l.dilation.w);
            let e = equivalent(l.ofmap, l.input_grad_shape(), l.dilation, pad)?;
            if e.ofmap != l.filter {
                return Err(PassError::internal("gflow-map", "equivalent layer has another error shape"));
            }
            let mut set = gflow_fgrad_set(&e, g, mul, add).map_err(|d| regroup(d, l))?;
            rename(
                &mut set,
                &[(SrcKind::Ifmap, SrcKind::Error), (SrcKind::Error, SrcKind::Filter)],
            );
            flip_filter(&mut set, l.filter);
            set.out_kind = OutKind::InputGrad;
            explain(&mut set, format!("dilated igrad as the fgrad schedule of a layer with stride {} and pad {pad}: its input is dO, its error the flipped W, its filter gradient dX of the padded input", l.dilation));
            Ok(set)
        }
        (true, PassKind::Forward) | (true, PassKind::Fgrad) => {
            Err(refused("a transposed layer with a dilation"))
        }
        (true, _) => Err(refused(
            "the input gradient of a transposed layer: it is an ordinary strided convolution of the error, with no inserted zeros to skip",
        )),
        (false, PassKind::Forward) => Err(refused("a dilated layer's forward pass with a stride above 1")),
        (false, PassKind::Igrad) => Err(refused("the input gradient of a dilated layer with a stride above 1")),
        (false, _) => Err(refused(
            "the filter gradient of a dilated layer: it is a strided convolution of the input by the error, with no inserted zeros to skip",
        )),
    }
}

fn refusal(l: &Layer, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::GflowNotOrdinary,
        format!("Grad-Flow does not map {why}"),
    )
    .with_primary(l.span, "this layer")
    .with_note("Grad-Flow maps a transposed layer's forward pass and filter gradient, and a dilated layer's stride-1 forward pass and input gradient (dilation 1 for transposed layers)")
    .with_help("use `--dataflow rs`: row-stationary runs it as frameworks lower it (zero insertion, dilated filters)")
}

/// A grouping refusal names the equivalent layer's limits; say which pass
/// of this layer it is about.
fn regroup(d: Diagnostic, l: &Layer) -> PassError {
    let d = if d.code == Code::GroupingOutOfRange {
        d.with_note(format!(
            "layer `{}` is mapped as the gradient schedule of an equivalent ordinary layer; the range is that layer's",
            l.name
        ))
    } else {
        d
    };
    PassError::refused(d)
}

/// Turns the weights the set reads end for end (`W[a]` read as
/// `W[k-1-a]`): the input gradient correlates with the flipped filter.
fn flip_filter(set: &mut LogicalSet, k: Hw) {
    let flip = |s: &mut Src| {
        if s.kind == SrcKind::Filter {
            s.r = (k.h - 1) as u32 - s.r;
            s.c = (k.w - 1) as u32 - s.c;
        }
    };
    for pe in &mut set.pes {
        pe.ifmap_init.iter_mut().for_each(flip);
        pe.filter_init.iter_mut().for_each(flip);
    }
}

/// Says first, in the placement rules, which schedule the set is.
fn explain(set: &mut LogicalSet, rule: String) {
    set.placement.rules.insert(0, rule);
}

/// Renames the layer tensors the set's scratchpads hold (pairs applied at once).
fn rename(set: &mut LogicalSet, pairs: &[(SrcKind, SrcKind)]) {
    let map = |s: &mut Src| {
        if let Some((_, to)) = pairs.iter().find(|(from, _)| *from == s.kind) {
            s.kind = *to;
        }
    };
    for pe in &mut set.pes {
        pe.ifmap_init.iter_mut().for_each(map);
        pe.filter_init.iter_mut().for_each(map);
    }
}

/// Keeps the `out` window of the set's output starting at `(pad, pad)`:
/// its elements become the output tensor, row-major, and every other
/// output element (the rows the padding crops) goes to a discard area
/// after it, in the order the schedule writes them, so each is still
/// written once.
fn crop_outputs(set: &mut LogicalSet, pad: Hw, out: Hw) {
    let width = set.out_shape.w;
    let inside = out.area();
    let mut discarded = 0u64;
    for pe in &mut set.pes {
        for w in &mut pe.words {
            let Some(j) = w.out.get() else { continue };
            let (r, c) = (j as u64 / width, j as u64 % width);
            let kept = r >= pad.h && c >= pad.w && r - pad.h < out.h && c - pad.w < out.w;
            w.out = Slot::new(if kept {
                ((r - pad.h) * out.w + (c - pad.w)) as u32
            } else {
                discarded += 1;
                (inside + discarded - 1) as u32
            });
        }
    }
    set.out_shape = Hw::new(out.h + discarded.div_ceil(out.w), out.w);
}

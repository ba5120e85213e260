//! Pass selection: builds the dataflow graph of the requested pass.

use super::{Part, Pass, PassError, PassOptions};
use crate::diag::Diagnostic;
use crate::ir::{Graph, Module, NodeId, Op, TensorRole};
use crate::model::{Hw, Layer};
use crate::options::PassKind;

pub struct Select;

impl Pass for Select {
    fn name(&self) -> &'static str {
        "select"
    }
    fn description(&self) -> &'static str {
        "build the dataflow graph of the pass: forward conv, igrad transposed conv, or fgrad dilated conv"
    }
    fn needs(&self) -> &'static [Part] {
        &[]
    }
    fn provides(&self) -> &'static [Part] {
        &[Part::Graph]
    }
    fn files(&self) -> &'static [&'static str] {
        &["select.rs"]
    }
    fn doc(&self) -> &'static str {
        r#"builds the graph of the pass: forward `O = conv(pad(X), W, s)`; igrad `dX = crop(conv(pad_{K-1}(dilate_s(dO)), rot180(W), 1))`; fgrad `dW = conv(pad(X), dilate_s(dO), 1)`. Any shape, stride and padding per axis. A dilated layer uses `dilate_d(W)` (K its dilated extent; fgrad strided by d); rows the floor rule leaves unused get `pad_end` (igrad) or `crop_end` (fgrad). A transposed layer is lowered as frameworks do: forward `conv(frame(dilate_s(X)), dilate_d(rot180(W)), 1)`, igrad `conv(frame(dO), dilate_d(W), s)`, fgrad `conv(frame(dO), dilate_s(X), d)`, each frame a pad/crop on each side and a `pad_end`/`crop_end`."#
    }
    fn run(&self, m: &mut Module, _opts: &PassOptions) -> Result<(), PassError> {
        refuse_huge_layer(m)?;
        let g = build(m)?;
        refuse_huge_tensors(m, &g)?;
        m.graph = Some(g);
        // The largest set a mapping of this graph could build, refused
        // before any mapping pass runs.
        crate::limits::check_pass_size(m).map_err(PassError::refused)
    }
}

/// Largest 2-D slice (elements) of any tensor of a pass cnnc simulates: the
/// schedule, the data and the reference all hold slices in memory.
pub const MAX_SLICE_ELEMENTS: u64 = 1 << 24;

/// Refuses a layer with a size beyond the slice limit before its graph is
/// built, so the lowering's signed frame arithmetic stays far from overflow.
fn refuse_huge_layer(m: &Module) -> Result<(), PassError> {
    let l = &m.layer;
    let sizes = [
        ("ifmap", l.ifmap),
        ("filter", l.filter),
        ("ofmap", l.ofmap),
        ("pad", l.pad),
        ("dilated filter", l.dilated_filter()),
    ];
    let Some((what, hw)) = sizes
        .into_iter()
        .find(|(_, hw)| hw.h.max(hw.w) > MAX_SLICE_ELEMENTS)
    else {
        return Ok(());
    };
    Err(PassError::refused(
        Diagnostic::error(
            crate::diag::Code::ScheduleTooLarge,
            format!("the layer's {what} ({hw}) is over the simulation limit of {MAX_SLICE_ELEMENTS} elements per slice"),
        )
        .with_primary(l.span, "this layer")
        .with_note(format!(
            "cnnc simulates slices of at most {MAX_SLICE_ELEMENTS} elements (4096 x 4096)"
        ))
        .with_help("simulate a smaller layer, or a tile of this one"),
    ))
}

/// Refuses a pass whose tensors are too large to hold, before anything is
/// evaluated or scheduled.
fn refuse_huge_tensors(m: &Module, g: &Graph) -> Result<(), PassError> {
    let Some(t) =
        g.g.node_indices()
            .filter_map(|n| g.tensor_info(n))
            .find(|t| t.shape.h.saturating_mul(t.shape.w) > MAX_SLICE_ELEMENTS)
    else {
        return Ok(());
    };
    Err(PassError::refused(
        Diagnostic::error(
            crate::diag::Code::ScheduleTooLarge,
            format!(
                "tensor `{}` of this pass is {} elements per slice, over the simulation limit of {MAX_SLICE_ELEMENTS}",
                t.name, t.shape
            ),
        )
        .with_primary(m.layer.span, "this layer")
        .with_note(format!(
            "cnnc simulates slices of at most {MAX_SLICE_ELEMENTS} elements (4096 x 4096)"
        ))
        .with_help("simulate a smaller layer, or a tile of this one"),
    ))
}

/// Adds tensors and operations to a graph with the layer's element type and
/// span, turning an operand mismatch into an internal error.
struct Builder {
    g: Graph,
    elem: String,
    span: crate::model::SrcSpan,
}

impl Builder {
    fn input(&mut self, name: &str, role: TensorRole, shape: Hw) -> NodeId {
        self.g.tensor(name, role, shape, &self.elem, self.span)
    }

    fn op(
        &mut self,
        op: Op,
        args: &[NodeId],
        name: &str,
        role: TensorRole,
    ) -> Result<NodeId, PassError> {
        self.g
            .apply(op, args, name, role, self.span)
            .ok_or_else(|| {
                PassError::internal("select", format!("operands of {} do not fit", op.name()))
            })
    }
}

impl Builder {
    /// Moves the borders of `x`: `before` zero rows/columns added at the
    /// start of each axis and `after` at the end, a negative amount removing
    /// that many instead. Emits only the operations that change something,
    /// in an order that never crops a tensor away entirely.
    fn reframe(
        &mut self,
        x: NodeId,
        before: (i64, i64),
        after: (i64, i64),
        name: &str,
    ) -> Result<NodeId, PassError> {
        let hw = |f: &dyn Fn(i64, i64) -> i64| {
            Hw::new(
                f(before.0, after.0).max(0) as u64,
                f(before.1, after.1).max(0) as u64,
            )
        };
        let steps = [
            (
                Op::PadEnd {
                    amount: hw(&|b, a| a - b),
                },
                "e",
            ),
            (
                Op::Crop {
                    amount: hw(&|b, _| -b),
                },
                "c",
            ),
            (
                Op::Pad {
                    amount: hw(&|b, _| b),
                },
                "p",
            ),
            (
                Op::CropEnd {
                    amount: hw(&|b, a| b - a),
                },
                "t",
            ),
        ];
        let mut cur = x;
        for (op, tag) in steps {
            let amount = match op {
                Op::PadEnd { amount }
                | Op::Crop { amount }
                | Op::Pad { amount }
                | Op::CropEnd { amount } => amount,
                _ => Hw::default(),
            };
            if amount.is_zero() {
                continue;
            }
            cur = self.op(op, &[cur], &format!("{name}{tag}"), TensorRole::Temp)?;
        }
        Ok(cur)
    }

    /// `x` with `factor - 1` zeros between neighbours, or `x` itself.
    fn dilate(&mut self, x: NodeId, factor: Hw, name: &str) -> Result<NodeId, PassError> {
        if factor.is_one() {
            return Ok(x);
        }
        self.op(Op::Dilate { factor }, &[x], name, TensorRole::Temp)
    }
}

/// Signed amounts for [`Builder::reframe`].
fn signed(h: u64, w: u64) -> (i64, i64) {
    (h as i64, w as i64)
}

fn build(m: &Module) -> Result<Graph, PassError> {
    let l = &m.layer;
    let mut b = Builder {
        g: Graph::default(),
        elem: format!("i{}", m.arch.precision),
        span: l.span,
    };
    if l.transposed {
        build_transposed(&mut b, l, m.pass)?;
    } else {
        build_ordinary(&mut b, l, m.pass)?;
    }
    Ok(b.g)
}

/// An ordinary or dilated convolution (filter taps `d` apart, `K = d(R-1)+1`
/// the dilated extent, `u` the unused rows at the end of the padded input).
fn build_ordinary(b: &mut Builder, l: &Layer, pass: PassKind) -> Result<(), PassError> {
    let one = Hw::square(1);
    let d = l.dilation;
    let unused = l.unused();
    match pass {
        PassKind::Forward => {
            // O = conv(pad_p(X), dilate_d(W), s); the unused rows are never read.
            let x = b.input("X", TensorRole::Ifmap, l.ifmap);
            let w = b.input("W", TensorRole::Filter, l.filter);
            let xp = b.op(Op::Pad { amount: l.pad }, &[x], "Xp", TensorRole::Temp)?;
            let wd = b.dilate(w, d, "Wd")?;
            b.op(
                Op::Conv2d { stride: l.stride },
                &[xp, wd],
                "O",
                TensorRole::Ofmap,
            )?;
        }
        PassKind::Igrad => {
            // dX = crop_p(conv(pad_end_u(pad_{K-1}(dilate_s(dO))), dilate_d(rot180(W)), 1))
            let e = b.input("dO", TensorRole::Error, l.ofmap);
            let w = b.input("W", TensorRole::Filter, l.filter);
            let ed = b.op(
                Op::Dilate { factor: l.stride },
                &[e],
                "dOd",
                TensorRole::Temp,
            )?;
            let k = l.dilated_filter();
            let border = Hw::new(k.h - 1, k.w - 1);
            let mut z = b.op(Op::Pad { amount: border }, &[ed], "Z", TensorRole::Temp)?;
            if !unused.is_zero() {
                // The unused rows get a gradient too: zero.
                z = b.op(Op::PadEnd { amount: unused }, &[z], "Zu", TensorRole::Temp)?;
            }
            let wr = b.op(Op::Rotate180, &[w], "Wr", TensorRole::Temp)?;
            let wr = b.dilate(wr, d, "Wrd")?;
            let padded = l.pad != Hw::default();
            let role = if padded {
                TensorRole::Temp
            } else {
                TensorRole::InputGrad
            };
            let dxp = b.op(Op::Conv2d { stride: one }, &[z, wr], "dXp", role)?;
            if padded {
                b.op(
                    Op::Crop { amount: l.pad },
                    &[dxp],
                    "dX",
                    TensorRole::InputGrad,
                )?;
            }
        }
        PassKind::Fgrad => {
            // dW = conv(crop_end_u(pad_p(X)), dilate_s(dO), d)
            let x = b.input("X", TensorRole::Ifmap, l.ifmap);
            let e = b.input("dO", TensorRole::Error, l.ofmap);
            let mut xp = b.op(Op::Pad { amount: l.pad }, &[x], "Xp", TensorRole::Temp)?;
            if !unused.is_zero() {
                xp = b.op(
                    Op::CropEnd { amount: unused },
                    &[xp],
                    "Xpu",
                    TensorRole::Temp,
                )?;
            }
            let ed = b.op(
                Op::Dilate { factor: l.stride },
                &[e],
                "dOd",
                TensorRole::Temp,
            )?;
            b.op(
                Op::Conv2d { stride: d },
                &[xp, ed],
                "dW",
                TensorRole::FilterGrad,
            )?;
        }
        PassKind::All => return Err(all_is_expanded()),
    }
    Ok(())
}

/// A transposed convolution as frameworks lower it: `O[i·s + a·d - p] +=
/// X[i]·W[a]` is a stride-1 convolution of the zero-inserted input, padded
/// by `d(R-1) - p` (plus `output_pad` after), with the rotated, dilated
/// filter. Its gradients are convolutions of the error padded by `p`: the
/// input gradient strided by `s` with the dilated filter, the filter
/// gradient with the zero-inserted input as kernel, strided by `d`.
fn build_transposed(b: &mut Builder, l: &Layer, pass: PassKind) -> Result<(), PassError> {
    let one = Hw::square(1);
    let (s, d, p, op) = (l.stride, l.dilation, l.pad, l.output_pad);
    let k = l.dilated_filter();
    // The error framed to exactly (H-1)·s + K rows: pad p before, p - output_pad after.
    let error_frame = (
        signed(p.h, p.w),
        (p.h as i64 - op.h as i64, p.w as i64 - op.w as i64),
    );
    match pass {
        PassKind::Forward => {
            // O = conv(frame(dilate_s(X), K-1-p, K-1-p+output_pad), dilate_d(rot180(W)), 1)
            let x = b.input("X", TensorRole::Ifmap, l.ifmap);
            let w = b.input("W", TensorRole::Filter, l.filter);
            let xd = b.dilate(x, s, "Xd")?;
            let before = (k.h as i64 - 1 - p.h as i64, k.w as i64 - 1 - p.w as i64);
            let after = (before.0 + op.h as i64, before.1 + op.w as i64);
            let xz = b.reframe(xd, before, after, "Xz")?;
            let wr = b.op(Op::Rotate180, &[w], "Wr", TensorRole::Temp)?;
            let wr = b.dilate(wr, d, "Wrd")?;
            b.op(
                Op::Conv2d { stride: one },
                &[xz, wr],
                "O",
                TensorRole::Ofmap,
            )?;
        }
        PassKind::Igrad => {
            // dX[i] = Σ_a dO[i·s + a·d - p]·W[a] = conv(frame(dO), dilate_d(W), s)
            let e = b.input("dO", TensorRole::Error, l.ofmap);
            let w = b.input("W", TensorRole::Filter, l.filter);
            let ef = b.reframe(e, error_frame.0, error_frame.1, "dOf")?;
            let wd = b.dilate(w, d, "Wd")?;
            b.op(
                Op::Conv2d { stride: s },
                &[ef, wd],
                "dX",
                TensorRole::InputGrad,
            )?;
        }
        PassKind::Fgrad => {
            // dW[a] = Σ_i X[i]·dO[i·s + a·d - p] = conv(frame(dO), dilate_s(X), d)
            let x = b.input("X", TensorRole::Ifmap, l.ifmap);
            let e = b.input("dO", TensorRole::Error, l.ofmap);
            let ef = b.reframe(e, error_frame.0, error_frame.1, "dOf")?;
            let xd = b.dilate(x, s, "Xd")?;
            b.op(
                Op::Conv2d { stride: d },
                &[ef, xd],
                "dW",
                TensorRole::FilterGrad,
            )?;
        }
        PassKind::All => return Err(all_is_expanded()),
    }
    Ok(())
}

fn all_is_expanded() -> PassError {
    PassError::internal(
        "select",
        "`all` is expanded by the driver into three passes",
    )
}

//! Pass selection: builds the dataflow graph of the requested pass.

use super::{Pass, PassError};
use crate::diag::Diagnostic;
use crate::ir::{Graph, Module, NodeId, Op, TensorRole};
use crate::model::Hw;
use crate::options::PassKind;

pub struct Select;

impl Pass for Select {
    fn name(&self) -> &'static str {
        "select"
    }
    fn description(&self) -> &'static str {
        "build the dataflow graph of the pass: forward conv, igrad transposed conv, or fgrad dilated conv"
    }
    fn run(&self, m: &mut Module) -> Result<(), PassError> {
        let g = build(m)?;
        refuse_huge_tensors(m, &g)?;
        m.graph = Some(g);
        Ok(())
    }
}

/// Largest 2-D slice (elements) of any tensor of a pass cnnc simulates: the
/// schedule, the data and the reference all hold slices in memory.
pub const MAX_SLICE_ELEMENTS: u64 = 1 << 24;

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
            "E0204",
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

fn build(m: &Module) -> Result<Graph, PassError> {
    let l = &m.layer;
    let mut b = Builder {
        g: Graph::default(),
        elem: format!("i{}", m.arch.precision),
        span: l.span,
    };
    let one = Hw::square(1);
    match m.pass {
        PassKind::Forward => {
            // O = conv(pad_p(X), W, s)
            let x = b.input("X", TensorRole::Ifmap, l.ifmap);
            let w = b.input("W", TensorRole::Filter, l.filter);
            let xp = b.op(Op::Pad { amount: l.pad }, &[x], "Xp", TensorRole::Temp)?;
            b.op(
                Op::Conv2d { stride: l.stride },
                &[xp, w],
                "O",
                TensorRole::Ofmap,
            )?;
        }
        PassKind::Igrad => {
            // dX = crop_p(conv(pad_{K-1}(dilate_s(dO)), rot180(W), 1))
            let e = b.input("dO", TensorRole::Error, l.ofmap);
            let w = b.input("W", TensorRole::Filter, l.filter);
            let ed = b.op(
                Op::Dilate { factor: l.stride },
                &[e],
                "dOd",
                TensorRole::Temp,
            )?;
            let border = Hw::new(l.filter.h - 1, l.filter.w - 1);
            let z = b.op(Op::Pad { amount: border }, &[ed], "Z", TensorRole::Temp)?;
            let wr = b.op(Op::Rotate180, &[w], "Wr", TensorRole::Temp)?;
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
            // dW = conv(pad_p(X), dilate_s(dO), 1)
            let x = b.input("X", TensorRole::Ifmap, l.ifmap);
            let e = b.input("dO", TensorRole::Error, l.ofmap);
            let xp = b.op(Op::Pad { amount: l.pad }, &[x], "Xp", TensorRole::Temp)?;
            let ed = b.op(
                Op::Dilate { factor: l.stride },
                &[e],
                "dOd",
                TensorRole::Temp,
            )?;
            b.op(
                Op::Conv2d { stride: one },
                &[xp, ed],
                "dW",
                TensorRole::FilterGrad,
            )?;
        }
        PassKind::All => {
            return Err(PassError::internal(
                "select",
                "`all` is expanded by the driver into three passes",
            ))
        }
    }
    Ok(b.g)
}

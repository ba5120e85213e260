//! Pass selection: builds the dataflow graph of the requested pass.

use super::{Pass, PassError};
use crate::ir::{Graph, Module, Op, TensorRole};
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
        m.graph = Some(build(m)?);
        Ok(())
    }
}

fn build(m: &Module) -> Result<Graph, PassError> {
    let l = &m.layer;
    let elem = format!("i{}", m.arch.precision);
    let span = l.span;
    let mut g = Graph::default();
    let bad = || PassError::internal("select", "operand shapes do not fit the pass's operations");
    match m.pass {
        PassKind::Forward => {
            let x = g.tensor("X", TensorRole::Ifmap, l.ifmap, &elem, span);
            let w = g.tensor("W", TensorRole::Filter, l.filter, &elem, span);
            let xp = g
                .apply(
                    Op::Pad { amount: l.pad },
                    &[x],
                    "Xp",
                    TensorRole::Temp,
                    span,
                )
                .ok_or_else(bad)?;
            g.apply(
                Op::Conv2d { stride: l.stride },
                &[xp, w],
                "O",
                TensorRole::Ofmap,
                span,
            )
            .ok_or_else(bad)?;
        }
        PassKind::Igrad => {
            // dX = crop_pad(conv(pad_{K-1}(dilate_s(dO)), rot180(W), 1))
            let e = g.tensor("dO", TensorRole::Error, l.ofmap, &elem, span);
            let w = g.tensor("W", TensorRole::Filter, l.filter, &elem, span);
            let ed = g
                .apply(
                    Op::Dilate { factor: l.stride },
                    &[e],
                    "dOd",
                    TensorRole::Temp,
                    span,
                )
                .ok_or_else(bad)?;
            let border = Hw::new(l.filter.h - 1, l.filter.w - 1);
            let z = g
                .apply(
                    Op::Pad { amount: border },
                    &[ed],
                    "Z",
                    TensorRole::Temp,
                    span,
                )
                .ok_or_else(bad)?;
            let wr = g
                .apply(Op::Rotate180, &[w], "Wr", TensorRole::Temp, span)
                .ok_or_else(bad)?;
            let role = if l.pad == Hw::default() {
                TensorRole::InputGrad
            } else {
                TensorRole::Temp
            };
            let dxp = g
                .apply(
                    Op::Conv2d {
                        stride: Hw::square(1),
                    },
                    &[z, wr],
                    "dXp",
                    role,
                    span,
                )
                .ok_or_else(bad)?;
            if l.pad != Hw::default() {
                g.apply(
                    Op::Crop { amount: l.pad },
                    &[dxp],
                    "dX",
                    TensorRole::InputGrad,
                    span,
                )
                .ok_or_else(bad)?;
            }
        }
        PassKind::Fgrad => {
            // dW = conv(pad_p(X), dilate_s(dO), 1)
            let x = g.tensor("X", TensorRole::Ifmap, l.ifmap, &elem, span);
            let e = g.tensor("dO", TensorRole::Error, l.ofmap, &elem, span);
            let xp = g
                .apply(
                    Op::Pad { amount: l.pad },
                    &[x],
                    "Xp",
                    TensorRole::Temp,
                    span,
                )
                .ok_or_else(bad)?;
            let ed = g
                .apply(
                    Op::Dilate { factor: l.stride },
                    &[e],
                    "dOd",
                    TensorRole::Temp,
                    span,
                )
                .ok_or_else(bad)?;
            g.apply(
                Op::Conv2d {
                    stride: Hw::square(1),
                },
                &[xp, ed],
                "dW",
                TensorRole::FilterGrad,
                span,
            )
            .ok_or_else(bad)?;
        }
        PassKind::All => {
            return Err(PassError::internal(
                "select",
                "`all` is expanded by the driver into three passes",
            ))
        }
    }
    Ok(g)
}

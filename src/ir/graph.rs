//! The dataflow graph: tensor nodes and operation nodes. Edges run from an
//! operation's operands to the operation (weight = operand position) and from
//! the operation to its result (weight 0).

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::model::{Hw, SrcSpan};

pub type NodeId = NodeIndex<u32>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TensorRole {
    Ifmap,
    Filter,
    Ofmap,
    Error,
    InputGrad,
    FilterGrad,
    /// An intermediate produced by an operation.
    Temp,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TensorInfo {
    pub name: String,
    pub role: TensorRole,
    /// 2-D extent of one slice (one channel of one image, or one filter).
    pub shape: Hw,
    /// Element type, e.g. `i16`.
    pub elem: String,
    pub span: SrcSpan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Cross-correlation of operand 0 (input) with operand 1 (kernel).
    Conv2d { stride: Hw },
    /// Zero rows/columns added on each side.
    Pad { amount: Hw },
    /// `factor - 1` zeros inserted between neighbouring elements.
    Dilate { factor: Hw },
    /// 180-degree rotation (the transposed convolution's filter).
    Rotate180,
    /// Rows/columns removed on each side.
    Crop { amount: Hw },
    /// Zero rows/columns added after the last row/column only (a
    /// transposed convolution's `output_pad`, the rows of an input gradient
    /// that no window reached).
    PadEnd { amount: Hw },
    /// Rows/columns removed after the last row/column only (input rows no
    /// window reaches, gradient rows beyond the input).
    CropEnd { amount: Hw },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Conv2d { .. } => "conv2d",
            Op::Pad { .. } => "pad",
            Op::Dilate { .. } => "dilate",
            Op::Rotate180 => "rotate180",
            Op::Crop { .. } => "crop",
            Op::PadEnd { .. } => "pad_end",
            Op::CropEnd { .. } => "crop_end",
        }
    }

    pub fn arity(&self) -> usize {
        match self {
            Op::Conv2d { .. } => 2,
            _ => 1,
        }
    }

    /// Result shape from operand shapes, or `None` if they do not fit.
    pub fn result_shape(&self, operands: &[Hw]) -> Option<Hw> {
        match (*self, operands) {
            (Op::Conv2d { stride }, [x, k]) => {
                if stride.h == 0 || stride.w == 0 || k.h > x.h || k.w > x.w || k.h == 0 || k.w == 0
                {
                    return None;
                }
                Some(Hw::new(
                    (x.h - k.h) / stride.h + 1,
                    (x.w - k.w) / stride.w + 1,
                ))
            }
            (Op::Pad { amount }, [x]) => Some(Hw::new(x.h + 2 * amount.h, x.w + 2 * amount.w)),
            (Op::Dilate { factor }, [x]) => {
                if factor.h == 0 || factor.w == 0 || x.h == 0 || x.w == 0 {
                    return None;
                }
                Some(Hw::new((x.h - 1) * factor.h + 1, (x.w - 1) * factor.w + 1))
            }
            (Op::Rotate180, [x]) => Some(*x),
            (Op::Crop { amount }, [x]) => {
                if 2 * amount.h >= x.h || 2 * amount.w >= x.w {
                    return None;
                }
                Some(Hw::new(x.h - 2 * amount.h, x.w - 2 * amount.w))
            }
            (Op::PadEnd { amount }, [x]) => Some(Hw::new(x.h + amount.h, x.w + amount.w)),
            (Op::CropEnd { amount }, [x]) => {
                if amount.h >= x.h || amount.w >= x.w {
                    return None;
                }
                Some(Hw::new(x.h - amount.h, x.w - amount.w))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Node {
    Tensor(TensorInfo),
    Op { op: Op, span: SrcSpan },
}

/// The dataflow graph of one pass over one 2-D slice of a layer.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub g: DiGraph<Node, u32, u32>,
}

impl Graph {
    pub fn tensor(
        &mut self,
        name: &str,
        role: TensorRole,
        shape: Hw,
        elem: &str,
        span: SrcSpan,
    ) -> NodeId {
        self.g.add_node(Node::Tensor(TensorInfo {
            name: name.to_string(),
            role,
            shape,
            elem: elem.to_string(),
            span,
        }))
    }

    /// Adds `op` applied to `operands` and its result tensor; returns the result.
    /// The result's shape is computed; `None` if the operands do not fit.
    pub fn apply(
        &mut self,
        op: Op,
        operands: &[NodeId],
        name: &str,
        role: TensorRole,
        span: SrcSpan,
    ) -> Option<NodeId> {
        let shapes: Vec<Hw> = operands
            .iter()
            .map(|&n| self.shape(n))
            .collect::<Option<_>>()?;
        let shape = op.result_shape(&shapes)?;
        let elem = self.elem(operands[0])?;
        let op_node = self.g.add_node(Node::Op { op, span });
        for (i, &n) in operands.iter().enumerate() {
            self.g.add_edge(n, op_node, i as u32);
        }
        let out = self.tensor(name, role, shape, &elem, span);
        self.g.add_edge(op_node, out, 0);
        Some(out)
    }

    pub fn shape(&self, n: NodeId) -> Option<Hw> {
        match self.g.node_weight(n)? {
            Node::Tensor(t) => Some(t.shape),
            Node::Op { .. } => None,
        }
    }

    fn elem(&self, n: NodeId) -> Option<String> {
        match self.g.node_weight(n)? {
            Node::Tensor(t) => Some(t.elem.clone()),
            Node::Op { .. } => None,
        }
    }

    pub fn tensor_info(&self, n: NodeId) -> Option<&TensorInfo> {
        match self.g.node_weight(n)? {
            Node::Tensor(t) => Some(t),
            Node::Op { .. } => None,
        }
    }

    /// The operation that produced tensor `n` and its operands in order.
    pub fn producer(&self, n: NodeId) -> Option<(Op, Vec<NodeId>)> {
        let op_node = self.g.neighbors_directed(n, Direction::Incoming).next()?;
        let Node::Op { op, .. } = self.g.node_weight(op_node)? else {
            return None;
        };
        let mut operands: Vec<(u32, NodeId)> = self
            .g
            .edges_directed(op_node, Direction::Incoming)
            .map(|e| (*e.weight(), e.source()))
            .collect();
        operands.sort();
        Some((*op, operands.into_iter().map(|(_, n)| n).collect()))
    }

    /// The first tensor with `role`.
    pub fn find(&self, role: TensorRole) -> Option<NodeId> {
        self.g
            .node_indices()
            .find(|&n| matches!(self.g.node_weight(n), Some(Node::Tensor(t)) if t.role == role))
    }

    /// The single conv2d operation node and its (input, kernel, result).
    pub fn conv(&self) -> Option<(Hw, NodeId, NodeId, NodeId)> {
        for n in self.g.node_indices() {
            if let Some(Node::Op {
                op: Op::Conv2d { stride },
                ..
            }) = self.g.node_weight(n)
            {
                let mut ins: Vec<(u32, NodeId)> = self
                    .g
                    .edges_directed(n, Direction::Incoming)
                    .map(|e| (*e.weight(), e.source()))
                    .collect();
                ins.sort();
                let out = self.g.neighbors_directed(n, Direction::Outgoing).next()?;
                if ins.len() != 2 {
                    return None;
                }
                return Some((*stride, ins[0].1, ins[1].1, out));
            }
        }
        None
    }
}

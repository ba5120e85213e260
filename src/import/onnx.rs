//! An ONNX model's convolutions as `.cnn` layers: decode with the
//! `onnx-protobuf` crate, walk the nodes in graph order (ONNX requires
//! topological order), propagate tensor shapes and turn each Conv and
//! ConvTranspose, and each Gemm or MatMul of a 2-D input (see `fc`), into
//! a [`ConvLayer`]; every other node is an [`Item::Skipped`].

use std::collections::{HashMap, HashSet};

use onnx_protobuf::{
    tensor_shape_proto::dimension::Value as Dim, type_proto::Value as TypeValue, AttributeProto,
    GraphProto, Message, ModelProto, NodeProto, TensorProto,
};

use super::shapes::{broadcast, flatten, in_range, reshape, transposed_out, window_out, LIMIT};
use super::{ConvLayer, Item};
use crate::diag::{Code, Diagnostic};

/// The imported network: its items and where the batch size came from.
#[derive(Debug)]
pub struct Imported {
    pub graph_name: String,
    pub items: Vec<Item>,
    pub batch: u64,
}

fn unsupported(node: &NodeProto, why: String) -> Diagnostic {
    Diagnostic::error(
        Code::ImportUnsupported,
        format!("{} node `{}`: {why}", node.op_type, node.name),
    )
    .with_help("cnnc imports 2-D Conv and ConvTranspose with explicit or automatic padding; edit the model or describe this layer by hand")
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn ints(node: &NodeProto, name: &str, default: &[i64]) -> Vec<i64> {
    attr(node, name).map_or_else(|| default.to_vec(), |a| a.ints.clone())
}

fn int(node: &NodeProto, name: &str, default: i64) -> i64 {
    attr(node, name).map_or(default, |a| a.i)
}

fn string(node: &NodeProto, name: &str) -> String {
    attr(node, name).map_or_else(String::new, |a| String::from_utf8_lossy(&a.s).into_owned())
}

/// The int64 values of a constant tensor (Reshape shapes survive the
/// weight stripping: they are tiny and needed).
fn int64_values(t: &TensorProto) -> Vec<i64> {
    if !t.int64_data.is_empty() {
        return t.int64_data.clone();
    }
    t.raw_data
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect()
}

/// A `.cnn` identifier from an ONNX node name: PyTorch's
/// `/layer1/layer1.0/conv1/Conv` becomes `layer1_0_conv1`.
pub fn layer_name(node: &NodeProto, index: usize) -> String {
    let mut segs: Vec<&str> = node.name.split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() > 1 && segs.last() == Some(&node.op_type.as_str()) {
        segs.pop();
    }
    // A segment that extends the previous one (`layer1` -> `layer1.0`) replaces it.
    let mut kept: Vec<&str> = Vec::new();
    for s in segs {
        if let Some(last) = kept.last() {
            if s.starts_with(&format!("{last}.")) {
                kept.pop();
            }
        }
        kept.push(s);
    }
    let joined = super::emit::identifier_chars(&kept.join("_"));
    let trimmed = joined.trim_matches('_').to_string();
    match trimmed.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => trimmed,
        Some(_) => format!("l{trimmed}"),
        None => format!("{}{index}", node.op_type.to_ascii_lowercase()),
    }
}

/// Decodes `bytes` and imports the main graph; `batch` overrides the
/// model's batch dimension (needed when that dimension is symbolic).
pub fn import(bytes: &[u8], batch: Option<u64>) -> Result<Imported, Diagnostic> {
    let model = ModelProto::parse_from_bytes(bytes).map_err(|e| {
        Diagnostic::error(Code::ImportUnreadable, format!("not an ONNX model: {e}"))
            .with_help("give a .onnx file as written by torch.onnx.export or onnx.save")
    })?;
    let Some(graph) = model.graph.as_ref() else {
        return Err(
            Diagnostic::error(Code::ImportUnreadable, "the ONNX model has no graph")
                .with_help("give a .onnx file as written by torch.onnx.export or onnx.save"),
        );
    };
    walk(graph, batch)
}

fn graph_inputs(
    g: &GraphProto,
    batch: Option<u64>,
    shapes: &mut HashMap<String, Vec<i64>>,
) -> Result<u64, Diagnostic> {
    let init: HashSet<&str> = g.initializer.iter().map(|t| t.name.as_str()).collect();
    let mut found: Option<u64> = None;
    for vi in g.input.iter().filter(|v| !init.contains(v.name.as_str())) {
        let Some(TypeValue::TensorType(t)) = vi.type_.as_ref().and_then(|t| t.value.as_ref())
        else {
            continue;
        };
        let Some(shape) = t.shape.as_ref() else {
            continue;
        };
        let mut dims = Vec::new();
        for (i, d) in shape.dim.iter().enumerate() {
            match (&d.value, i) {
                (Some(Dim::DimValue(v)), 0) if batch.is_none() => dims.push(*v),
                (_, 0) => match batch {
                    Some(b) => dims.push(b as i64),
                    None => {
                        return Err(Diagnostic::error(
                            Code::ImportBadBatch,
                            format!("input `{}` has a symbolic batch size", vi.name),
                        )
                        .with_help("give the batch size with `--batch N`"))
                    }
                },
                (Some(Dim::DimValue(v)), _) if *v > 0 && *v <= LIMIT => dims.push(*v),
                _ => {
                    return Err(Diagnostic::error(
                        Code::ImportNoShape,
                        format!("input `{}` has an unknown size in dimension {i}", vi.name),
                    )
                    .with_help(
                        "export the model with a fixed input size (e.g. 1 x 3 x 224 x 224)",
                    ))
                }
            }
        }
        if dims.first().is_some_and(|&b| b <= 0) {
            return Err(Diagnostic::error(
                Code::ImportBadBatch,
                format!("input `{}` has batch size {}", vi.name, dims[0]),
            )
            .with_help("give a positive batch size with `--batch N`"));
        }
        found.get_or_insert(dims.first().copied().unwrap_or(1) as u64);
        shapes.insert(vi.name.clone(), dims);
    }
    found.ok_or_else(|| {
        Diagnostic::error(
            Code::ImportNoShape,
            "the model has no input tensor with a shape",
        )
        .with_help("export the model with a named, fixed-size input")
    })
}

fn walk(g: &GraphProto, batch: Option<u64>) -> Result<Imported, Diagnostic> {
    let mut shapes: HashMap<String, Vec<i64>> = HashMap::new();
    let batch = graph_inputs(g, batch, &mut shapes)?;
    let consts: HashMap<&str, &TensorProto> =
        g.initializer.iter().map(|t| (t.name.as_str(), t)).collect();
    for t in &g.initializer {
        shapes.insert(t.name.clone(), t.dims.clone());
    }
    let mut items = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    // Tensors made by flattening an N x C x H x W tensor to N x CHW: a
    // fully connected layer on one is an H x W convolution (see `fc`).
    let mut flat_from: HashMap<String, Vec<i64>> = HashMap::new();
    for (i, node) in g.node.iter().enumerate() {
        let input = |k: usize| node.input.get(k).and_then(|n| shapes.get(n)).cloned();
        let fc = match node.op_type.as_str() {
            "Gemm" | "MatMul" => match (input(0), input(1)) {
                (Some(x), Some(w)) => {
                    let from = node.input.first().and_then(|n| flat_from.get(n));
                    super::fc::as_conv(node, &x, &w, from.map(|v| &v[..]), layer_name(node, i))
                }
                _ => None,
            },
            _ => None,
        };
        let out = match node.op_type.as_str() {
            "Conv" | "ConvTranspose" => {
                let layer = conv(node, &input(0), &input(1), i)?;
                let (eh, ew) = layer.ofmap;
                let out = [layer.batch, layer.filters, eh, ew].map(|d| d as i64);
                push_layer(layer, &mut names, &mut items);
                Some(out.to_vec())
            }
            _ if fc.is_some() => fc.map(|layer| {
                // The product's output stays 2-D (N x M), as ONNX has it.
                let out = vec![layer.batch as i64, layer.filters as i64];
                push_layer(layer, &mut names, &mut items);
                out
            }),
            op => {
                let out = other(node, op, &input, &consts);
                if let (Some(x), Some(o), Some(name)) = (input(0), &out, node.output.first()) {
                    let flattens = x.len() == 4
                        && o.len() == 2
                        && o[0] == x[0]
                        && super::shapes::product(&x[1..]) == Some(o[1]);
                    if flattens && matches!(op, "Flatten" | "Reshape") {
                        flat_from.insert(name.clone(), x);
                    }
                }
                let inputs: Vec<Option<Vec<i64>>> = node
                    .input
                    .iter()
                    .filter(|n| !n.is_empty() && !consts.contains_key(n.as_str()))
                    .map(|n| shapes.get(n).cloned())
                    .collect();
                items.push(Item::Skipped {
                    op: op.to_string(),
                    name: node.name.clone(),
                    inputs,
                    output: out.clone(),
                });
                out
            }
        };
        if let (Some(s), Some(o)) = (out, node.output.first()) {
            shapes.insert(o.clone(), s);
        }
    }
    if !items.iter().any(|i| matches!(i, Item::Conv(_))) {
        return Err(Diagnostic::error(
            Code::ImportNoConv,
            "the model has no Conv, ConvTranspose, Gemm or MatMul node cnnc can cost",
        )
        .with_help("cnnc costs convolutions (and matrix products of a 2-D input, as 1 x 1 ones); this model has none to import"));
    }
    Ok(Imported {
        graph_name: g.name.clone(),
        items,
        batch,
    })
}

/// Adds a layer under a name no other layer has (`conv`, `conv_2`, ...).
fn push_layer(mut layer: ConvLayer, names: &mut HashSet<String>, items: &mut Vec<Item>) {
    let base = layer.name.clone();
    let mut k = 2;
    while !names.insert(layer.name.clone()) {
        layer.name = format!("{base}_{k}");
        k += 1;
    }
    items.push(Item::Conv(layer));
}

/// Shapes through the operators cnnc does not cost.
fn other(
    node: &NodeProto,
    op: &str,
    input: &dyn Fn(usize) -> Option<Vec<i64>>,
    consts: &HashMap<&str, &TensorProto>,
) -> Option<Vec<i64>> {
    let x = input(0)?;
    match op {
        "Relu"
        | "LeakyRelu"
        | "PRelu"
        | "Sigmoid"
        | "Tanh"
        | "Clip"
        | "HardSigmoid"
        | "HardSwish"
        | "Elu"
        | "Selu"
        | "Softmax"
        | "LogSoftmax"
        | "BatchNormalization"
        | "InstanceNormalization"
        | "Dropout"
        | "Identity"
        | "LRN"
        | "Cast" => Some(x),
        "Add" | "Sub" | "Mul" | "Div" | "Sum" | "Max" | "Min" => {
            (1..node.input.len()).try_fold(x, |acc, k| broadcast(&acc, &input(k)?))
        }
        "MaxPool" | "AveragePool" | "LpPool" => {
            if x.len() != 4 {
                return None;
            }
            let k = ints(node, "kernel_shape", &[]);
            if k.len() != 2 {
                return None;
            }
            let s = ints(node, "strides", &[1, 1]);
            let p = ints(node, "pads", &[0, 0, 0, 0]);
            let d = ints(node, "dilations", &[1, 1]);
            let ceil = int(node, "ceil_mode", 0) != 0;
            if s.len() != 2
                || p.len() != 4
                || d.len() != 2
                || !in_range(&[&k[..], &s, &p, &d].concat())
            {
                return None;
            }
            let (p_h, p_w) = match string(node, "auto_pad").as_str() {
                "SAME_UPPER" | "SAME_LOWER" => (
                    same_pad(x[2], k[0], s[0], d[0]),
                    same_pad(x[3], k[1], s[1], d[1]),
                ),
                "VALID" => (0, 0),
                _ => (p[0] + p[2], p[1] + p[3]),
            };
            Some(vec![
                x[0],
                x[1],
                window_out(x[2], k[0], s[0], p_h, d[0], ceil)?,
                window_out(x[3], k[1], s[1], p_w, d[1], ceil)?,
            ])
        }
        "GlobalAveragePool" | "GlobalMaxPool" if x.len() == 4 => Some(vec![x[0], x[1], 1, 1]),
        "Flatten" => flatten(&x, int(node, "axis", 1)),
        "Gemm" => {
            let b = input(1)?;
            if x.len() != 2 || b.len() != 2 {
                return None;
            }
            let m = if int(node, "transA", 0) != 0 {
                x[1]
            } else {
                x[0]
            };
            let n = if int(node, "transB", 0) != 0 {
                b[0]
            } else {
                b[1]
            };
            Some(vec![m, n])
        }
        "MatMul" => {
            // Matrices in the last two dims, the others broadcast (numpy).
            let b = input(1)?;
            let (xn, bn) = (x.len().checked_sub(2)?, b.len().checked_sub(2)?);
            let mut o = broadcast(&x[..xn], &b[..bn])?;
            o.extend([x[xn], b[bn + 1]]);
            Some(o)
        }
        "Reshape" => {
            let t = consts.get(node.input.get(1)?.as_str())?;
            reshape(&x, &int64_values(t))
        }
        "Concat" => {
            let axis = int(node, "axis", 1);
            let axis = if axis < 0 {
                axis + x.len() as i64
            } else {
                axis
            } as usize;
            let mut o = x.clone();
            for k in 1..node.input.len() {
                let y = input(k)?;
                let slot = o.get_mut(axis)?;
                *slot = slot.checked_add(*y.get(axis)?)?;
            }
            Some(o)
        }
        _ => None,
    }
}

/// Total padding of `auto_pad = SAME_*` along one axis.
fn same_pad(input: i64, kernel: i64, stride: i64, dilation: i64) -> i64 {
    let out = (input + stride - 1) / stride.max(1);
    ((out - 1) * stride + (kernel - 1) * dilation + 1 - input).max(0)
}

fn positive(node: &NodeProto, what: &str, v: i64) -> Result<u64, Diagnostic> {
    u64::try_from(v)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| unsupported(node, format!("{what} is {v}")))
}

fn conv(
    node: &NodeProto,
    x: &Option<Vec<i64>>,
    w: &Option<Vec<i64>>,
    index: usize,
) -> Result<ConvLayer, Diagnostic> {
    let transposed = node.op_type == "ConvTranspose";
    let no_shape = |what: &str| {
        Diagnostic::error(
            Code::ImportNoShape,
            format!("{} node `{}`: the shape of its {what} is not known", node.op_type, node.name),
        )
        .with_note("shapes are followed through Conv, ConvTranspose, pooling, element-wise operators, BatchNormalization, Flatten, Gemm, MatMul, Reshape and Concat")
        .with_help("export the model with fixed input sizes and its weights' shapes (initializers)")
    };
    let x = x.as_ref().ok_or_else(|| no_shape("input"))?;
    let w = w.as_ref().ok_or_else(|| no_shape("weights"))?;
    if !in_range(x) || !in_range(w) || x.first().is_some_and(|&b| b <= 0) {
        return Err(unsupported(
            node,
            format!("input or weight sizes {x:?} {w:?} out of range"),
        ));
    }
    if x.len() != 4 || w.len() != 4 {
        return Err(unsupported(
            node,
            format!(
                "a {}-D input; only 2-D convolutions (NCHW) are imported",
                x.len().saturating_sub(2)
            ),
        ));
    }
    let groups = positive(node, "group", int(node, "group", 1))?;
    let k = ints(node, "kernel_shape", &w[2..]);
    let s = ints(node, "strides", &[1, 1]);
    let d = ints(node, "dilations", &[1, 1]);
    let op = ints(node, "output_padding", &[0, 0]);
    if k.len() != 2 || s.len() != 2 || d.len() != 2 || op.len() != 2 {
        return Err(unsupported(
            node,
            "kernel_shape, strides, dilations or output_padding not 2-D".into(),
        ));
    }
    if !in_range(&[&k[..], &s, &d, &op, &[int(node, "group", 1)]].concat()) {
        return Err(unsupported(node, "an attribute is out of range".into()));
    }
    if k[..] != w[2..] {
        return Err(unsupported(
            node,
            format!("kernel_shape {k:?} differs from the weights' {:?}", &w[2..]),
        ));
    }
    let auto = string(node, "auto_pad");
    let p: Vec<i64> = match auto.as_str() {
        "" | "NOTSET" => ints(node, "pads", &[0, 0, 0, 0]),
        "VALID" => vec![0, 0, 0, 0],
        "SAME_UPPER" | "SAME_LOWER" if !transposed => {
            let (th, tw) = (
                same_pad(x[2], k[0], s[0], d[0]),
                same_pad(x[3], k[1], s[1], d[1]),
            );
            // SAME_UPPER puts the odd row at the end, SAME_LOWER at the start.
            let upper = auto == "SAME_UPPER";
            let split = |t: i64| {
                if upper {
                    (t / 2, t - t / 2)
                } else {
                    (t - t / 2, t / 2)
                }
            };
            let ((hb, he), (wb, we)) = (split(th), split(tw));
            vec![hb, wb, he, we]
        }
        other => return Err(unsupported(node, format!("auto_pad = {other}"))),
    };
    if p.len() != 4 || p.iter().any(|&v| !(0..=LIMIT).contains(&v)) {
        return Err(unsupported(node, format!("pads {p:?}")));
    }
    if transposed && attr(node, "output_shape").is_some() {
        return Err(unsupported(
            node,
            "output_shape (give pads and output_padding instead)".into(),
        ));
    }
    let batch = positive(node, "batch", x[0])?;
    let (h, wd) = (
        positive(node, "input height", x[2])?,
        positive(node, "input width", x[3])?,
    );
    let channels = positive(node, "input channels", x[1])?;
    let filters = if transposed {
        w[1] * groups as i64
    } else {
        w[0]
    };
    let filters = positive(node, "output channels", filters)?;
    // Weights hold C / groups input channels (M / groups outputs when transposed).
    let per_group = if transposed {
        w[0]
    } else {
        w[1] * groups as i64
    };
    if per_group != x[1] || channels % groups != 0 || filters % groups != 0 {
        return Err(unsupported(
            node,
            format!(
                "weights {w:?} do not match {} input channels in {groups} group(s)",
                x[1]
            ),
        ));
    }
    let out_h;
    let out_w;
    if transposed {
        out_h = transposed_out(x[2], k[0], s[0], p[0] + p[2], d[0], op[0]);
        out_w = transposed_out(x[3], k[1], s[1], p[1] + p[3], d[1], op[1]);
    } else {
        out_h = window_out(x[2], k[0], s[0], p[0] + p[2], d[0], false);
        out_w = window_out(x[3], k[1], s[1], p[1] + p[3], d[1], false);
    }
    let (Some(out_h), Some(out_w)) = (out_h, out_w) else {
        return Err(unsupported(
            node,
            "the filter does not fit the padded input".into(),
        ));
    };
    // The language pads both sides equally: keep the smaller pad on both and
    // fold the rest of an asymmetric pad into the ifmap as zero rows/columns
    // (the same reads and outputs, the extra zeros counted as input).
    let (pad_h, extra_h) = (p[0].min(p[2]), (p[0] - p[2]).abs());
    let (pad_w, extra_w) = (p[1].min(p[3]), (p[1] - p[3]).abs());
    let mut note = None;
    if extra_h + extra_w > 0 {
        if transposed {
            return Err(unsupported(
                node,
                format!("asymmetric pads {p:?} on a transposed convolution"),
            ));
        }
        note = Some(format!(
            "asymmetric pads (top {}, left {}, bottom {}, right {}): pad {} x {} on each side, \
             the other {} row(s) and {} column(s) of zeros folded into the ifmap",
            p[0], p[1], p[2], p[3], pad_h, pad_w, extra_h, extra_w
        ));
    }
    Ok(ConvLayer {
        name: layer_name(node, index),
        batch,
        ifmap: (h + extra_h as u64, wd + extra_w as u64),
        channels,
        filter: (
            positive(node, "kernel height", k[0])?,
            positive(node, "kernel width", k[1])?,
        ),
        filters,
        stride: (
            positive(node, "stride", s[0])?,
            positive(node, "stride", s[1])?,
        ),
        pad: (pad_h as u64, pad_w as u64),
        dilation: (
            positive(node, "dilation", d[0])?,
            positive(node, "dilation", d[1])?,
        ),
        groups,
        transposed,
        output_pad: (op[0].max(0) as u64, op[1].max(0) as u64),
        ofmap: (out_h as u64, out_w as u64),
        note,
    })
}

//! Fully connected layers as the convolutions they are. An ONNX `Gemm`
//! (or a `MatMul` on a 2-D input) multiplies N rows of K inputs by a K x M
//! weight matrix: a convolution with batch N, M filters and a 1 x 1 output.
//! Where the rows come from flattening an N x C x H x W tensor, the K
//! inputs are that tensor's C x H x W, in the order a filter reads them,
//! so the layer is an H x W filter over a C-channel H x W ifmap (VGG-16's
//! fc6: 512 channels, 7 x 7); otherwise it is 1 x 1 over K channels.

use onnx_protobuf::NodeProto;

use super::shapes::LIMIT;
use super::ConvLayer;

fn size(v: i64) -> Option<u64> {
    (1..=LIMIT).contains(&v).then_some(v as u64)
}

fn flag(node: &NodeProto, name: &str) -> bool {
    node.attribute.iter().any(|a| a.name == name && a.i != 0)
}

/// The convolution of a Gemm or MatMul node with input shape `x` and
/// weight shape `w`; `flat_from` is the 4-D shape `x` was flattened from,
/// if it was. `None` when the node is not a matrix product of a 2-D input
/// by a 2-D matrix whose shapes agree (it is then listed as not costed).
pub fn as_conv(
    node: &NodeProto,
    x: &[i64],
    w: &[i64],
    flat_from: Option<&[i64]>,
    name: String,
) -> Option<ConvLayer> {
    let [x0, x1] = *x else { return None };
    let [w0, w1] = *w else { return None };
    let gemm = node.op_type == "Gemm";
    let trans_a = gemm && flag(node, "transA");
    let trans_b = gemm && flag(node, "transB");
    let (n, k) = if trans_a { (x1, x0) } else { (x0, x1) };
    let (k_w, m) = if trans_b { (w1, w0) } else { (w0, w1) };
    let (n, k, m) = (size(n)?, size(k)?, size(m)?);
    if size(k_w)? != k {
        return None;
    }
    let product = format!("{} {n} x {k} times {k} x {m}", node.op_type);
    // A flattened N x C x H x W input, read in C, H, W order like a filter
    // (with H = W = 1 it is the 1 x 1 case below).
    let unflattened = match flat_from {
        Some(&[fn_, c, h, wd])
            if !trans_a && fn_ as u64 == n && h.checked_mul(wd).is_some_and(|a| a > 1) =>
        {
            let (c, h, wd) = (size(c)?, size(h)?, size(wd)?);
            (c.checked_mul(h)?.checked_mul(wd)? == k).then_some((c, h, wd))
        }
        _ => None,
    };
    let (channels, hw, note) = match unflattened {
        Some((c, h, wd)) => (
            c,
            (h, wd),
            format!(
                "{product} as the convolution it is: {m} filters of {c} x {h} x {wd} over the \
                 {c} x {h} x {wd} tensor it flattens, batch {n}"
            ),
        ),
        None => (
            k,
            (1, 1),
            format!(
                "{product} as the convolution it is: {m} filters of 1 x 1 over {k} channels, batch {n}"
            ),
        ),
    };
    Some(ConvLayer {
        name,
        batch: n,
        ifmap: hw,
        channels,
        filter: hw,
        filters: m,
        stride: (1, 1),
        pad: (0, 0),
        dilation: (1, 1),
        groups: 1,
        transposed: false,
        output_pad: (0, 0),
        ofmap: (1, 1),
        note: Some(note),
    })
}

//! Output shapes of the ONNX operators that matter between convolutions:
//! convolutions, pooling, shape-preserving element-wise operators,
//! Flatten, Gemm and MatMul, Reshape with a constant shape, Concat.
//! Shapes are NCHW dims; an operator not listed has no known shape.

/// Largest size, pad, stride or dilation taken from a model: far beyond any
/// real network, and small enough that the arithmetic below cannot overflow.
pub const LIMIT: i64 = 1 << 31;

/// Whether every value is within `-LIMIT..=LIMIT`.
pub fn in_range(vals: &[i64]) -> bool {
    vals.iter().all(|v| v.abs() <= LIMIT)
}

/// The product of dims, or None on overflow.
pub fn product(s: &[i64]) -> Option<i64> {
    s.iter().try_fold(1i64, |acc, &d| acc.checked_mul(d))
}

/// Spatial output size of a convolution or pooling window along one axis.
pub fn window_out(
    input: i64,
    kernel: i64,
    stride: i64,
    pad_sum: i64,
    dilation: i64,
    ceil: bool,
) -> Option<i64> {
    let span = dilation.checked_mul(kernel - 1)?.checked_add(1)?;
    let room = input.checked_add(pad_sum)?.checked_sub(span)?;
    if room < 0 || stride <= 0 {
        return None;
    }
    let q = if ceil {
        room.checked_add(stride - 1)? / stride
    } else {
        room / stride
    };
    Some(q + 1)
}

/// Output size of a transposed convolution along one axis.
pub fn transposed_out(
    input: i64,
    kernel: i64,
    stride: i64,
    pad_sum: i64,
    dilation: i64,
    output_pad: i64,
) -> Option<i64> {
    let o = stride
        .checked_mul(input - 1)?
        .checked_add(output_pad)?
        .checked_add(dilation.checked_mul(kernel - 1)?.checked_add(1)?)?
        .checked_sub(pad_sum)?;
    (o >= 1).then_some(o)
}

/// Numpy-style broadcast of two shapes (Add, Mul, ...).
pub fn broadcast(a: &[i64], b: &[i64]) -> Option<Vec<i64>> {
    let n = a.len().max(b.len());
    let at = |s: &[i64], i: usize| {
        if i + s.len() >= n {
            s[i + s.len() - n]
        } else {
            1
        }
    };
    (0..n)
        .map(|i| match (at(a, i), at(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// Flatten at `axis`: two dims.
pub fn flatten(s: &[i64], axis: i64) -> Option<Vec<i64>> {
    let axis = if axis < 0 {
        axis + s.len() as i64
    } else {
        axis
    };
    if axis < 0 || axis as usize > s.len() {
        return None;
    }
    let (l, r) = s.split_at(axis as usize);
    Some(vec![product(l)?, product(r)?])
}

/// Reshape to `target` (0 copies a dim, one -1 is inferred).
pub fn reshape(s: &[i64], target: &[i64]) -> Option<Vec<i64>> {
    let total = product(s)?;
    let mut out: Vec<i64> = target
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if d == 0 {
                s.get(i).copied().unwrap_or(0)
            } else {
                d
            }
        })
        .collect();
    let rest: Vec<i64> = out.iter().copied().filter(|&d| d != -1).collect();
    let known = product(&rest)?;
    match out.iter().filter(|&&d| d == -1).count() {
        0 => (known == total).then_some(out),
        1 if known > 0 && total % known == 0 => {
            for d in &mut out {
                if *d == -1 {
                    *d = total / known;
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_output_sizes() {
        // ResNet conv1: 224, 7x7/2, pad 3+3 -> 112 (one padded row unused).
        assert_eq!(window_out(224, 7, 2, 6, 1, false), Some(112));
        // Max pool 3x3/2 pad 1 on 112 -> 56.
        assert_eq!(window_out(112, 3, 2, 2, 1, false), Some(56));
        // Dilation 2 with a 3x3: span 5.
        assert_eq!(window_out(32, 3, 1, 0, 2, false), Some(28));
        assert_eq!(window_out(2, 3, 1, 0, 1, false), None);
        // DCGAN: 4x4/2 pad 1 doubles 4 -> 8.
        assert_eq!(transposed_out(4, 4, 2, 2, 1, 0), Some(8));
        assert_eq!(transposed_out(1, 4, 1, 0, 1, 0), Some(4));
        assert_eq!(
            broadcast(&[1, 64, 56, 56], &[64, 1, 1]),
            Some(vec![1, 64, 56, 56])
        );
        assert_eq!(flatten(&[1, 512, 1, 1], 1), Some(vec![1, 512]));
        assert_eq!(reshape(&[1, 512, 1, 1], &[1, -1]), Some(vec![1, 512]));
        // Sizes from a corrupted model overflow nothing: no shape instead.
        assert_eq!(flatten(&[1 << 40, 1 << 40], 2), None);
        assert_eq!(window_out(i64::MAX - 1, 1, i64::MAX, 0, 1, true), None);
        assert!(!in_range(&[LIMIT + 1]));
    }
}

//! Compares simulated outputs with the reference.

use ndarray::Array2;

/// One wrong (or missing) output element.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    pub row: usize,
    pub col: usize,
    pub expected: i64,
    pub actual: Option<i64>,
}

/// Every element of `reference` against the simulated row-major `outputs`.
/// An element nothing was written to counts as 0 only if the reference is 0
/// there and `unwritten_is_zero` (structurally zero gradient elements).
pub fn check_outputs(
    reference: &Array2<i64>,
    outputs: &[Option<i64>],
    unwritten_is_zero: bool,
) -> Vec<Mismatch> {
    let w = reference.ncols();
    let mut bad = Vec::new();
    for ((r, c), &e) in reference.indexed_iter() {
        let a = outputs.get(r * w + c).copied().flatten();
        let ok = match a {
            Some(v) => v == e,
            None => unwritten_is_zero && e == 0,
        };
        if !ok {
            bad.push(Mismatch {
                row: r,
                col: c,
                expected: e,
                actual: a,
            });
        }
    }
    bad
}

//! What a sweep covers: the varied keys and their values, the dataflows,
//! the order of the design points and the slice a shard runs.

use crate::diag::{Code, Diagnostic};
use crate::options::Dataflow;

/// Most design points one sweep may have; beyond it is surely a typo.
pub const MAX_POINTS: usize = 100_000;

/// `--vary KEY=V1,V2,...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    pub key: String,
    pub values: Vec<String>,
}

/// Parses `--vary KEY=V1,V2,...`; values are checked later, against the arch.
pub fn parse_vary(text: &str) -> Result<Vary, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error(Code::BadVary, format!("`--vary {text}`: {why}")).with_help(
            "write an arch key and its values separated by commas, e.g. `--vary array=8x8,12x14,16x16`",
        )
    };
    let Some((key, values)) = text.split_once('=') else {
        return Err(bad("no `=` between key and values"));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(bad("the key is empty"));
    }
    let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(bad("a value is empty"));
    }
    Ok(Vary {
        key: key.to_string(),
        values,
    })
}

/// `--shard K/N`: the K-th (1-based) of N contiguous slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

pub fn parse_shard(text: &str) -> Result<Shard, Diagnostic> {
    let bad = || {
        Diagnostic::error(Code::BadShard, format!("`--shard {text}` is not K/N with 1 <= K <= N"))
            .with_help("e.g. `--shard 3/8` runs the third of eight slices; in a job array, `--shard auto` reads K and N from the scheduler")
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok(Shard { k, n })
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// The point indices of this slice of `total`: slices are contiguous
    /// and in order, so shard outputs concatenated are the whole output.
    pub fn range(self, total: usize) -> std::ops::Range<usize> {
        let at = |k: usize| k * total / self.n;
        at(self.k - 1)..at(self.k)
    }
}

/// One design point: a value index per varied key, and a dataflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub index: usize,
    pub values: Vec<(String, String)>,
    pub dataflow: Dataflow,
}

/// How many points the cross product has, or an error when it is too many.
pub fn count(varies: &[Vary], dataflows: usize) -> Result<usize, Diagnostic> {
    let mut n = dataflows.max(1);
    for v in varies {
        n = n.saturating_mul(v.values.len());
    }
    if n > MAX_POINTS {
        return Err(Diagnostic::error(
            Code::SweepTooLarge,
            format!("the sweep has {n} design points; at most {MAX_POINTS} are run at once"),
        )
        .with_help("vary fewer keys or values, or split the sweep into several runs"));
    }
    Ok(n)
}

/// Point `index` of the cross product: the first `--vary` changes slowest,
/// the dataflow fastest.
pub fn point(varies: &[Vary], dataflows: &[Dataflow], index: usize) -> Point {
    let mut rest = index;
    let df = dataflows[rest % dataflows.len()];
    rest /= dataflows.len();
    let mut values = vec![(String::new(), String::new()); varies.len()];
    for (slot, v) in values.iter_mut().zip(varies).rev() {
        *slot = (v.key.clone(), v.values[rest % v.values.len()].clone());
        rest /= v.values.len();
    }
    Point {
        index,
        values,
        dataflow: df,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_points_in_order() {
        for total in [0, 1, 5, 7, 64] {
            for n in 1..=9 {
                let mut all = Vec::new();
                for k in 1..=n {
                    all.extend(Shard { k, n }.range(total));
                }
                assert_eq!(all, (0..total).collect::<Vec<_>>(), "{total} in {n}");
            }
        }
    }

    #[test]
    fn points_run_through_the_cross_product() {
        let v = vec![
            parse_vary("array=6x7,12x14").unwrap(),
            parse_vary("rf.psum=16,24,32").unwrap(),
        ];
        let dfs = [Dataflow::Rs, Dataflow::Gflow];
        assert_eq!(count(&v, 2).unwrap(), 12);
        let p = point(&v, &dfs, 7);
        assert_eq!(p.values[0].1, "12x14");
        assert_eq!(p.values[1].1, "16");
        assert_eq!(p.dataflow, Dataflow::Gflow);
    }

    #[test]
    fn bad_specs_are_diagnosed() {
        assert_eq!(parse_vary("array").unwrap_err().code, Code::BadVary);
        assert_eq!(parse_vary("array=6x7,,").unwrap_err().code, Code::BadVary);
        for s in ["0/3", "4/3", "1", "a/b", "1/0"] {
            assert_eq!(parse_shard(s).unwrap_err().code, Code::BadShard, "{s}");
        }
    }
}

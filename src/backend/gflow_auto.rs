//! `--gflow-group auto`: the Grad-Flow grouping of a layer and pass chosen
//! from simulated cost. Each candidate grouping is compiled, simulated and
//! costed as a whole layer; the one the objective of the mapping search
//! ranks first is kept (ties: the candidate listed first, grouping 1
//! first). Candidates a layer cannot take are skipped; when no candidate
//! yields whole-layer figures, grouping 1's result (and its refusal) stands.

use crate::cost::layer::LayerStats;
use crate::model::Layer;
use crate::options::{Objective, PassKind};

/// The groupings tried for a pass of a layer: 1, 2 and 4 where valid (igrad
/// merges error rows; fgrad merges filter rows), and for fgrad the even
/// splits -2 and -4 of each element's terms over PE rows.
pub fn candidates(l: &Layer, pass: PassKind) -> Vec<i64> {
    let merge_limit = match pass {
        PassKind::Igrad => l.ofmap.h,
        PassKind::Fgrad => l.filter.h,
        _ => return vec![1],
    };
    let mut v: Vec<i64> = [1, 2, 4]
        .into_iter()
        .filter(|&g| g as u64 <= merge_limit.max(1))
        .collect();
    if pass == PassKind::Fgrad && l.is_ordinary() {
        let terms = l.ofmap.h * l.ofmap.w;
        v.extend(
            [-2i64, -4]
                .into_iter()
                .filter(|g| g.unsigned_abs() <= terms),
        );
    }
    v
}

/// What the objective makes of a layer's figures (lower is better).
pub fn score(s: &LayerStats, objective: Objective) -> f64 {
    objective.score(s.energy_pj.total, s.cycles as f64)
}

/// Index of the best of `scores` (`None`: no figures), ties to the first.
pub fn best(scores: &[Option<f64>]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in scores.iter().enumerate() {
        if let Some(s) = *s {
            if best.is_none_or(|(_, b)| s < b) {
                best = Some((i, s));
            }
        }
    }
    best.map(|(i, _)| i)
}

//! The distinct processing passes of a layer. Two passes are identical
//! when their shape and the positions of the inserted zeros they read are
//! equal, because the program, the delivery timeline and the start state
//! (empty scratchpads) depend on nothing else; only the values differ. The
//! default mode simulates each distinct pass once and counts it as many
//! times as it runs.

use std::collections::HashMap;

use super::nest::PassJob;
use super::shape::PassShape;
use super::LayerPlan;
use crate::ir::SrcMatrix;
use crate::model::Hw;

/// What makes two passes identical: the shape up to where the strip sits,
/// and where the inserted zeros are in the rows it reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Which kernel taps of its rows are inserted zeros (its chunk's
    /// columns, or the whole rows).
    kernel_zeros: Vec<bool>,
    kernel_rows: (u64, u64),
    width: u64,
    images: u64,
    filters: Vec<u64>,
    channels: Vec<u64>,
    incoming: bool,
    zeros: Vec<bool>,
}

/// The key of a pass; `(x, k)` the operands of its chunk.
fn key((x, k): &(SrcMatrix, SrcMatrix), stride: Hw, s: &PassShape) -> Key {
    let lo = s.kernel_rows.0 + s.out_rows.0 * stride.h;
    let hi = (s.kernel_rows.1 - 1) + (s.out_rows.1 - 1) * stride.h;
    let zeros = (lo..=hi)
        .flat_map(|r| (0..x.w).map(move |c| (r, c)))
        .map(|(r, c)| x.at(r, c).is_zero())
        .collect();
    // A chunk's kernel columns may hold inserted zeros another chunk of
    // the same width does not (a dilated gradient's).
    let kernel_zeros = (s.kernel_rows.0..s.kernel_rows.1)
        .flat_map(|r| (0..k.w).map(move |c| (r, c)))
        .map(|(r, c)| k.at(r, c).is_zero())
        .collect();
    Key {
        kernel_zeros,
        kernel_rows: s.kernel_rows,
        width: s.out_rows.1 - s.out_rows.0,
        images: s.images,
        filters: s.filters.clone(),
        channels: s.channels.clone(),
        incoming: s.incoming,
        zeros,
    }
}

/// The layer's distinct passes, in the order first met in the walk by
/// kind.
#[derive(Debug, Clone)]
pub struct Distinct {
    /// One pass of each.
    pub passes: Vec<PassJob>,
    /// How often each runs: as a pass that writes psums, and as the last
    /// pass of its outputs.
    pub counts: Vec<[u128; 2]>,
    /// The distinct pass of each kind of the nest.
    pub of_kind: Vec<usize>,
}

impl Distinct {
    /// Processing passes of the layer, counted.
    pub fn total(&self) -> u128 {
        self.counts.iter().map(|n| n[0] + n[1]).sum()
    }
}

impl LayerPlan {
    /// The distinct passes of the layer.
    pub fn distinct(&self) -> Distinct {
        let mut index: HashMap<Key, usize> = HashMap::new();
        let mut d = Distinct {
            passes: Vec::new(),
            counts: Vec::new(),
            of_kind: Vec::new(),
        };
        for (j, times) in self.kinds() {
            let key = key(self.operands_of(&j), self.stride, &j.shape);
            let at = *index.entry(key).or_insert_with(|| {
                d.passes.push(j.clone());
                d.counts.push([0, 0]);
                d.passes.len() - 1
            });
            d.of_kind.push(at);
            d.counts[at][j.last as usize] += times;
        }
        d
    }
}

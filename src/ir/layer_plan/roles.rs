//! How many 2-D convolutions one pass of a layer is, over which axis their
//! partial sums accumulate, and which layer tensor plays which role. Every
//! pass is rewritten as a forward convolution of an "ifmap-side" operand
//! (held in the ifmap scratchpad) with a "filter-side" operand (held in the
//! filter scratchpad), so that one blocking model (n images, p filters, q
//! channels) covers all three passes. The role swap of each pass is written
//! once, in [`roles`]: the counts (`Convs::of`) and the layer indices of a
//! pass's planes (`Convs::layer_indices`) both read it.

use crate::model::Layer;
use crate::options::PassKind;

/// The 2-D convolutions of one pass, per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Convs {
    pub groups: u64,
    /// Independent outputs that share a filter-side slice ("images", N').
    pub images: u64,
    /// Independent outputs that share an ifmap-side slice ("filters", F').
    pub filters: u64,
    /// Slices accumulated into one output ("channels", C').
    pub channels: u64,
}

/// A layer axis: image (n), channel (c) or filter (m).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    N,
    C,
    M,
}

/// The layer axis a pass's images, filters and channels run over.
/// forward: N·M·C/g accumulated over C/g; igrad: N·C·M/g accumulated over
/// M/g; fgrad: (C/g)·M·N accumulated over N. A transposed layer's filter
/// gradient slides its input over the output error (`passes::select`): the
/// error is the ifmap side, so its images are the filters and its filters
/// the channels.
fn roles(pass: PassKind, transposed: bool) -> [Axis; 3] {
    use Axis::*;
    match pass {
        PassKind::Igrad => [N, C, M],
        PassKind::Fgrad if transposed => [M, C, N],
        PassKind::Fgrad => [C, M, N],
        _ => [N, M, C],
    }
}

impl Convs {
    pub fn of(layer: &Layer, pass: PassKind) -> Convs {
        let size = |a: Axis| match a {
            Axis::N => layer.batch,
            Axis::C => layer.channels_per_group(),
            Axis::M => layer.filters_per_group(),
        };
        let [images, filters, channels] = roles(pass, layer.transposed).map(size);
        Convs {
            groups: layer.groups.max(1),
            images,
            filters,
            channels,
        }
    }

    /// The layer indices (image n, channel c, filter m) of the pass
    /// coordinates (image `i`, filter `f`, channel `ch`) in group `g`.
    pub fn layer_indices(
        layer: &Layer,
        pass: PassKind,
        g: u64,
        i: u64,
        f: u64,
        ch: u64,
    ) -> (u64, u64, u64) {
        let (cg, fg) = (layer.channels_per_group(), layer.filters_per_group());
        let mut at = (0, 0, 0);
        for (axis, v) in roles(pass, layer.transposed).into_iter().zip([i, f, ch]) {
            match axis {
                Axis::N => at.0 = v,
                Axis::C => at.1 = g * cg + v,
                Axis::M => at.2 = g * fg + v,
            }
        }
        at
    }

    /// 2-D convolutions of one group.
    pub fn per_group(&self) -> u128 {
        self.images as u128 * self.filters as u128 * self.channels as u128
    }

    /// 2-D convolutions of the whole pass.
    pub fn total(&self) -> u128 {
        self.per_group() * self.groups as u128
    }

    /// What the accumulated axis is, for reports.
    pub fn accumulated_over(pass: PassKind) -> &'static str {
        match pass {
            PassKind::Igrad => "filters per group (M/g)",
            PassKind::Fgrad => "images (N)",
            _ => "channels per group (C/g)",
        }
    }
}

/// Sizes of the blocks a dimension of `d` is cut into with blocks of `b`:
/// up to two (size, count) pairs, full blocks first.
pub fn blocks(d: u64, b: u64) -> [(u128, u128); 2] {
    let b = b.max(1);
    let full = (d / b) as u128;
    let tail = (d % b) as u128;
    [(b as u128, full), (tail, if tail > 0 { 1 } else { 0 })]
}

/// Number of blocks (ceil(d / b)).
pub fn block_count(d: u64, b: u64) -> u128 {
    d.div_ceil(b.max(1)) as u128
}

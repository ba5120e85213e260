use super::{Hw, SrcSpan};

/// One convolution layer, checked: every size is positive, `channels` and
/// `filters` divide by `groups`, and the padded input tiles exactly with the
/// stride, so `ofmap` is exact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Layer {
    /// Qualified name: `conv4`, or `alexnet.conv1` for a network member.
    pub name: String,
    pub span: SrcSpan,
    /// H x W of one input feature map, before padding.
    pub ifmap: Hw,
    /// C: input channels.
    pub channels: u64,
    /// R x S.
    pub filter: Hw,
    /// M: output channels.
    pub filters: u64,
    pub stride: Hw,
    /// Zero rows/columns added on each side.
    pub pad: Hw,
    /// N.
    pub batch: u64,
    pub groups: u64,
    /// E x F, computed (and, when the source gave it, checked equal).
    pub ofmap: Hw,
    /// Hand-fixed processing-pass blocking, if the source gave a `mapping` block.
    pub mapping: Option<MappingHint>,
}

/// Hand-chosen processing-pass blocking (`mapping { ... }` in a layer).
/// Every field left `None` is chosen by the mapping search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct MappingHint {
    /// n: images per processing pass.
    pub n: Option<u64>,
    /// p: filters interleaved per PE.
    pub p: Option<u64>,
    /// q: channels interleaved per PE.
    pub q: Option<u64>,
    /// r: PE sets working on different channels.
    pub r: Option<u64>,
    /// t: PE sets working on different filters.
    pub t: Option<u64>,
    /// Global-buffer banks given to ifmaps (the rest hold psums).
    pub ifmap_banks: Option<u64>,
    /// e: strip width, the PE-set columns (output rows) one piece holds;
    /// a wider set is strip-mined into pieces of at most e columns.
    pub e: Option<u64>,
}

impl Layer {
    /// Input height/width after zero padding.
    pub fn padded_ifmap(&self) -> Hw {
        Hw::new(self.ifmap.h + 2 * self.pad.h, self.ifmap.w + 2 * self.pad.w)
    }

    /// Input channels seen by one filter.
    pub fn channels_per_group(&self) -> u64 {
        self.channels / self.groups
    }

    /// Output channels of one group.
    pub fn filters_per_group(&self) -> u64 {
        self.filters / self.groups
    }

    /// Output size computed from the other fields, or `None` if the filter
    /// is larger than the padded input or the stride is zero.
    pub fn compute_ofmap(ifmap: Hw, filter: Hw, stride: Hw, pad: Hw) -> Option<Hw> {
        let axis = |i: u64, f: u64, s: u64, p: u64| -> Option<u64> {
            let padded = i.checked_add(p.checked_mul(2)?)?;
            if s == 0 || f == 0 || f > padded {
                return None;
            }
            Some((padded - f) / s + 1)
        };
        Some(Hw::new(
            axis(ifmap.h, filter.h, stride.h, pad.h)?,
            axis(ifmap.w, filter.w, stride.w, pad.w)?,
        ))
    }

    /// Multiplications of the forward pass of the whole layer.
    pub fn forward_macs(&self) -> u64 {
        self.batch
            * self.filters
            * self.channels_per_group()
            * self.ofmap.area()
            * self.filter.area()
    }

    /// A layer built directly from sizes (tests, property generators).
    /// Returns `None` when the sizes do not make a valid layer.
    #[allow(clippy::too_many_arguments)]
    pub fn from_sizes(
        name: &str,
        ifmap: Hw,
        channels: u64,
        filter: Hw,
        filters: u64,
        stride: Hw,
        pad: Hw,
        batch: u64,
        groups: u64,
    ) -> Option<Layer> {
        if channels == 0 || filters == 0 || batch == 0 || groups == 0 {
            return None;
        }
        if !channels.is_multiple_of(groups) || !filters.is_multiple_of(groups) {
            return None;
        }
        let ofmap = Self::compute_ofmap(ifmap, filter, stride, pad)?;
        let padded = Hw::new(ifmap.h + 2 * pad.h, ifmap.w + 2 * pad.w);
        if !(padded.h - filter.h).is_multiple_of(stride.h)
            || !(padded.w - filter.w).is_multiple_of(stride.w)
        {
            return None;
        }
        Some(Layer {
            name: name.to_string(),
            span: SrcSpan::default(),
            ifmap,
            channels,
            filter,
            filters,
            stride,
            pad,
            batch,
            groups,
            ofmap,
            mapping: None,
        })
    }
}

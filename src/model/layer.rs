use super::{Hw, SrcSpan};

/// One convolution layer, checked: every size is positive, `channels` and
/// `filters` divide by `groups`, and `ofmap` is the size the framework rule
/// gives (floor for an ordinary convolution: rows of the padded input that
/// no window reaches are unused; PyTorch's ConvTranspose2d rule for a
/// transposed one).
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
    /// Spacing of the filter taps (1 x 1: an ordinary convolution). Left
    /// out of the JSON at its default so ordinary layers print as before.
    #[serde(skip_serializing_if = "Hw::is_one")]
    pub dilation: Hw,
    /// A transposed convolution (PyTorch's ConvTranspose2d): `stride`,
    /// `pad`, `dilation` and `output_pad` have the framework's meaning.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub transposed: bool,
    /// Rows/columns added after the last output of a transposed
    /// convolution (0 x 0 for an ordinary one).
    #[serde(skip_serializing_if = "Hw::is_zero")]
    pub output_pad: Hw,
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

    /// Extent of the filter with its dilation: `dilation*(R-1) + 1`.
    pub fn dilated_filter(&self) -> Hw {
        // Saturating: a hand-built layer must not wrap (checked layers fit).
        let d = |k: u64, d: u64| d.saturating_mul(k - 1).saturating_add(1);
        Hw::new(
            d(self.filter.h, self.dilation.h),
            d(self.filter.w, self.dilation.w),
        )
    }

    /// Rows/columns at the end of the padded input that no window reaches
    /// (the framework's floor rule); 0 x 0 for a transposed layer.
    pub fn unused(&self) -> Hw {
        if self.transposed {
            return Hw::default();
        }
        let (p, k) = (self.padded_ifmap(), self.dilated_filter());
        let u = |p: u64, k: u64, s: u64| (p - k) % s;
        Hw::new(u(p.h, k.h, self.stride.h), u(p.w, k.w, self.stride.w))
    }

    /// Whether the layer is anything but an ordinary convolution (what
    /// Grad-Flow maps today).
    pub fn is_ordinary(&self) -> bool {
        !self.transposed && self.dilation.is_one()
    }

    /// Shape of the input-gradient slice the passes produce: the padded
    /// input for an ordinary or dilated convolution (the padding's gradient
    /// included), the input itself for a transposed one (it has no padding
    /// of its input).
    pub fn input_grad_shape(&self) -> Hw {
        if self.transposed {
            self.ifmap
        } else {
            self.padded_ifmap()
        }
    }

    /// Input channels seen by one filter.
    pub fn channels_per_group(&self) -> u64 {
        self.channels / self.groups
    }

    /// Output channels of one group.
    pub fn filters_per_group(&self) -> u64 {
        self.filters / self.groups
    }

    /// Output size of an ordinary convolution, `floor((H + 2p - R) / s) + 1`,
    /// or `None` if the filter is larger than the padded input or the stride
    /// is zero.
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

    /// Output size of a transposed convolution (PyTorch's ConvTranspose2d):
    /// `(H-1)*s - 2p + d*(R-1) + output_pad + 1`, or `None` if that is not
    /// positive or overflows.
    pub fn compute_transposed_ofmap(
        ifmap: Hw,
        filter: Hw,
        stride: Hw,
        pad: Hw,
        dilation: Hw,
        output_pad: Hw,
    ) -> Option<Hw> {
        let axis = |i: u64, k: u64, s: u64, p: u64, d: u64, op: u64| -> Option<u64> {
            let full = (i.checked_sub(1)?)
                .checked_mul(s)?
                .checked_add(d.checked_mul(k.checked_sub(1)?)?)?
                .checked_add(op)?
                .checked_add(1)?;
            full.checked_sub(p.checked_mul(2)?).filter(|&o| o > 0)
        };
        Some(Hw::new(
            axis(ifmap.h, filter.h, stride.h, pad.h, dilation.h, output_pad.h)?,
            axis(ifmap.w, filter.w, stride.w, pad.w, dilation.w, output_pad.w)?,
        ))
    }

    /// Multiplications of the forward pass of the whole layer, as the
    /// definition counts them: every output times every tap (an ordinary or
    /// dilated convolution), every input times every tap (a transposed one,
    /// products that land in the cropped border included).
    pub fn forward_macs(&self) -> u64 {
        let per_slice = if self.transposed {
            self.ifmap.area()
        } else {
            self.ofmap.area()
        };
        self.batch * self.filters * self.channels_per_group() * per_slice * self.filter.area()
    }

    /// The same layer with filter taps `dilation` apart, its output size
    /// recomputed; `None` if the sizes no longer make a layer.
    pub fn with_dilation(mut self, dilation: Hw) -> Option<Layer> {
        self.dilation = dilation;
        self.recompute()
    }

    /// The same sizes as a transposed convolution with `output_pad`; `None`
    /// if they do not make one (`output_pad` must be below the stride or the
    /// dilation, as in PyTorch).
    pub fn with_transposed(mut self, output_pad: Hw) -> Option<Layer> {
        self.transposed = true;
        self.output_pad = output_pad;
        self.recompute()
    }

    fn recompute(mut self) -> Option<Layer> {
        let (s, d, op) = (self.stride, self.dilation, self.output_pad);
        if d.h == 0 || d.w == 0 {
            return None;
        }
        self.ofmap = if self.transposed {
            if op.h >= s.h.max(d.h) || op.w >= s.w.max(d.w) {
                return None;
            }
            Self::compute_transposed_ofmap(self.ifmap, self.filter, s, self.pad, d, op)?
        } else {
            if op != Hw::default() {
                return None;
            }
            let k = Hw::new(
                d.h.checked_mul(self.filter.h - 1)? + 1,
                d.w.checked_mul(self.filter.w - 1)? + 1,
            );
            Self::compute_ofmap(self.ifmap, k, s, self.pad)?
        };
        Some(self)
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
        // Framework rule: rows no window reaches are unused (floor).
        let ofmap = Self::compute_ofmap(ifmap, filter, stride, pad)?;
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
            dilation: Hw::square(1),
            transposed: false,
            output_pad: Hw::default(),
            mapping: None,
        })
    }
}

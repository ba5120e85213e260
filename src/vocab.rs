//! The small vocabulary the IR, the bytecode and the simulator share: which
//! element of which layer tensor a value is (`Src`), which output a 2-D
//! convolution produces (`OutKind`), and the networks and deliveries that
//! fill scratchpads. It sits below all three so that none of them imports
//! another stage to name an element.

/// Which tensor of the layer a scratchpad value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SrcKind {
    /// A zero that the dataflow inserts itself (padding, dilation).
    Zero,
    /// Element of the (unpadded) input feature map.
    Ifmap,
    /// Element of the filter.
    Filter,
    /// Element of the output error (gradient of the ofmap).
    Error,
    /// A partial sum of an output element that an earlier processing pass
    /// left in the global buffer (whole-layer simulation: `r`, `c` index
    /// the processing pass's output tensor).
    Psum,
}

/// Where one preloaded or streamed scratchpad value comes from: an element
/// (row, column) of the 2-D slice of a layer tensor, or an inserted zero.
/// Schedules hold these instead of numbers so they stay data-independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Src {
    pub kind: SrcKind,
    pub r: u32,
    pub c: u32,
}

impl Src {
    pub const ZERO: Src = Src {
        kind: SrcKind::Zero,
        r: 0,
        c: 0,
    };

    pub fn new(kind: SrcKind, r: u64, c: u64) -> Src {
        Src {
            kind,
            r: r as u32,
            c: c as u32,
        }
    }

    pub fn is_zero(self) -> bool {
        self.kind == SrcKind::Zero
    }
}

impl std::fmt::Display for Src {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            SrcKind::Zero => write!(f, "0"),
            SrcKind::Ifmap => write!(f, "i{}-{}", self.r, self.c),
            SrcKind::Filter => write!(f, "w{}-{}", self.r, self.c),
            SrcKind::Error => write!(f, "e{}-{}", self.r, self.c),
            SrcKind::Psum => write!(f, "p{}-{}", self.r, self.c),
        }
    }
}

/// Which element of the layer a 2-D convolution produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutKind {
    Ofmap,
    InputGrad,
    FilterGrad,
}

impl OutKind {
    /// The output a layer pass produces.
    pub fn of(pass: crate::options::PassKind) -> OutKind {
        use crate::options::PassKind;
        match pass {
            PassKind::Forward => OutKind::Ofmap,
            PassKind::Igrad => OutKind::InputGrad,
            _ => OutKind::FilterGrad,
        }
    }

    pub fn label_prefix(self) -> char {
        match self {
            OutKind::Ofmap => 'o',
            OutKind::InputGrad => 'g',
            OutKind::FilterGrad => 'w',
        }
    }
}

/// The network a delivery travels on, and the scratchpad it fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Net {
    /// Global buffer to the ifmap-side scratchpads.
    Ifmap,
    /// Global buffer to the filter-side scratchpads.
    Filter,
    /// Global buffer to the psum scratchpads: partial sums returning for
    /// the next contribution (the chip's psum network).
    Psum,
}

/// One element sent to scratchpads during a physical pass: at the start of
/// `cycle` (before the PEs read), `src` is written into each target
/// `(PE index, scratchpad address)`; one send reaches all targets
/// (multicast).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delivery {
    pub cycle: u32,
    pub net: Net,
    /// An inserted zero the PE writes itself: no network, no bandwidth.
    pub local: bool,
    pub src: Src,
    pub targets: Vec<(u32, u32)>,
}

impl Delivery {
    /// This delivery with its targets borrowed.
    pub fn view(&self) -> DeliveryView<'_> {
        DeliveryView {
            cycle: self.cycle,
            net: self.net,
            local: self.local,
            src: self.src,
            targets: &self.targets,
        }
    }
}

/// A [`Delivery`] whose targets are borrowed: what the bytecode's
/// compressor reads, from a schedule's deliveries or straight from a
/// processing pass's items, without a target list per delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryView<'a> {
    pub cycle: u32,
    pub net: Net,
    pub local: bool,
    pub src: Src,
    pub targets: &'a [(u32, u32)],
}

impl DeliveryView<'_> {
    /// The delivery with its own targets.
    pub fn to_delivery(self) -> Delivery {
        Delivery {
            cycle: self.cycle,
            net: self.net,
            local: self.local,
            src: self.src,
            targets: self.targets.to_vec(),
        }
    }
}

/// Many deliveries' target lists in one buffer: a list allocated per
/// delivery (or per delivery item) was an allocation and a free for each of
/// the millions a run builds.
#[derive(Debug, Clone, Default)]
pub struct TargetLists {
    all: Vec<(u32, u32)>,
}

/// Where one list lies in its [`TargetLists`].
#[derive(Debug, Clone, Copy)]
pub struct TargetSpan {
    first: usize,
    count: u32,
}

impl TargetLists {
    pub fn with_capacity(targets: usize) -> TargetLists {
        TargetLists {
            all: Vec::with_capacity(targets),
        }
    }

    /// Adds a list. A list is bounded by the array's PEs, far below
    /// `u32::MAX`.
    pub fn push(&mut self, targets: impl IntoIterator<Item = (u32, u32)>) -> TargetSpan {
        let first = self.all.len();
        self.all.extend(targets);
        TargetSpan {
            first,
            count: (self.all.len() - first) as u32,
        }
    }

    /// The list at `span`, one this buffer gave.
    pub fn get(&self, span: TargetSpan) -> &[(u32, u32)] {
        &self.all[span.first..span.first + span.count as usize]
    }
}

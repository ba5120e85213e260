//! `cnnc import`: models from elsewhere as `.cnn` networks. ONNX models
//! (read with the `onnx-protobuf` crate; shapes propagated through the
//! graph by `shapes`) and SCALE-Sim topology files; `emit` writes the text.

pub mod emit;
mod fc;
pub mod onnx;
pub mod scalesim;
pub mod shapes;

/// One convolution as the `.cnn` language describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvLayer {
    pub name: String,
    pub batch: u64,
    /// Input H x W before padding (for a transposed convolution: its input).
    pub ifmap: (u64, u64),
    pub channels: u64,
    pub filter: (u64, u64),
    pub filters: u64,
    pub stride: (u64, u64),
    pub pad: (u64, u64),
    pub dilation: (u64, u64),
    pub groups: u64,
    pub transposed: bool,
    pub output_pad: (u64, u64),
    /// The framework's output H x W.
    pub ofmap: (u64, u64),
    /// Why the layer differs from the framework's description, if it does
    /// (asymmetric padding folded into the ifmap, a matrix product written
    /// as the convolution it is).
    pub note: Option<String>,
}

/// An item of an imported network, in graph order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Conv(ConvLayer),
    /// An operator cnnc does not cost, with its shapes where known (the
    /// inputs that are not weights or other constants; its first output).
    Skipped {
        op: String,
        name: String,
        inputs: Vec<Option<Vec<i64>>>,
        output: Option<Vec<i64>>,
    },
}

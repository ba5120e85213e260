use super::{Arch, Layer, SrcSpan};

/// An ordered list of layers; each layer's name is `network.layer`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Network {
    pub name: String,
    pub span: SrcSpan,
    pub layers: Vec<Layer>,
    /// The operators between the layers that cnnc does not cost, in file
    /// order: the report lists them beside the totals they are not in.
    pub not_costed: Vec<NotCosted>,
}

/// A tensor's dimensions, outermost first (`1 x 64 x 56 x 56` is N, C, H,
/// W); `None` where the size is not known (written `?`).
pub type TensorShape = Option<Vec<u64>>;

/// An operator of a network that cnnc does not cost (a ReLU, a pool, an
/// element-wise add...): a `not_costed { op = "Relu"; ... }` block. It
/// costs nothing; it is carried so that no total leaves it out silently.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotCosted {
    /// The operator's kind, e.g. `Relu`, `MaxPool`, `Add`.
    pub op: String,
    /// Its name in the model it came from, if any.
    pub name: Option<String>,
    pub inputs: Vec<TensorShape>,
    pub outputs: Vec<TensorShape>,
    pub span: SrcSpan,
}

impl NotCosted {
    /// `Relu /features/features.1/Relu: 1 x 64 x 224 x 224 -> 1 x 64 x 224 x 224`.
    pub fn text(&self) -> String {
        let name = self
            .name
            .as_deref()
            .map_or(String::new(), |n| format!(" {n}"));
        format!(
            "{}{name}: {} -> {}",
            self.op,
            shapes_text(&self.inputs),
            shapes_text(&self.outputs)
        )
    }
}

/// Shapes as the `.cnn` language writes them: `1 x 64 x 56 x 56, ?`.
pub fn shapes_text(shapes: &[TensorShape]) -> String {
    shapes
        .iter()
        .map(|s| match s {
            Some(d) => d
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" x "),
            None => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything one `.cnn` file declares, checked. The built-in `eyeriss` arch
/// is not listed in `archs` unless the file derives from it; use
/// [`Description::arch`] to look one up.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Description {
    pub archs: Vec<Arch>,
    pub layers: Vec<Layer>,
    pub networks: Vec<Network>,
}

impl Description {
    /// Finds an arch by name, falling back to the built-in `eyeriss`.
    pub fn arch(&self, name: &str) -> Option<Arch> {
        self.archs
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .or_else(|| Arch::builtin(name))
    }

    /// Finds a layer by plain name (`conv4`) or qualified name (`alexnet.conv1`).
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name).or_else(|| {
            self.networks
                .iter()
                .flat_map(|n| n.layers.iter())
                .find(|l| l.name == name)
        })
    }

    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.name == name)
    }

    /// Every layer, top-level first, then network members in order.
    pub fn all_layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers
            .iter()
            .chain(self.networks.iter().flat_map(|n| n.layers.iter()))
    }
}

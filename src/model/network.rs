use super::{Arch, Layer, SrcSpan};

/// An ordered list of layers; each layer's name is `network.layer`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Network {
    pub name: String,
    pub span: SrcSpan,
    pub layers: Vec<Layer>,
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

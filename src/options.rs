//! Choices a user makes on the command line that the stages below the front
//! end need to know. Kept apart from clap so the library is usable without it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PassKind {
    Forward,
    Igrad,
    Fgrad,
    /// A training step: forward, igrad and fgrad.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    /// Row-stationary.
    Rs,
    /// Grad-Flow (EcoFlow).
    Gflow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Emit {
    Ast,
    Ir,
    Signals,
    Stats,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
    /// One row per layer, pass and dataflow, with a header.
    Csv,
}

/// `--gflow-group`: Grad-Flow's grouping, chosen per layer and pass from
/// simulated cost (`auto`, the default) or fixed by a non-zero number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GflowGroup {
    #[default]
    Auto,
    Fixed(i64),
}

impl std::str::FromStr for GflowGroup {
    type Err = String;
    fn from_str(s: &str) -> Result<GflowGroup, String> {
        if s == "auto" {
            return Ok(GflowGroup::Auto);
        }
        match s.parse::<i64>() {
            Ok(0) => Err("must be `auto` or a non-zero integer".to_string()),
            Ok(n) => Ok(GflowGroup::Fixed(n)),
            Err(e) => Err(format!("not `auto` or an integer: {e}")),
        }
    }
}

impl std::fmt::Display for GflowGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GflowGroup::Auto => f.write_str("auto"),
            GflowGroup::Fixed(n) => write!(f, "{n}"),
        }
    }
}

/// What the mapping search minimises (`--objective`); ties go to more active
/// PEs, then fewer cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Energy of the layer.
    #[default]
    Energy,
    /// Cycles of the layer.
    Latency,
    /// Energy x cycles.
    Edp,
}

/// How much of a layer is simulated with real values and checked
/// (`--verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// The 2-D convolution of image 0, channel 0 and filter 0.
    #[default]
    Sample,
    /// Every 2-D convolution of the layer, every output element checked.
    Full,
}

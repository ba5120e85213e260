//! Choices a user makes on the command line that the stages below the front
//! end need to know. Kept apart from clap so the library is usable without
//! it: `cli` gives these types their `clap::ValueEnum` (the spellings are the
//! serde names, lowercase).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PassKind {
    Forward,
    Igrad,
    Fgrad,
    /// A training step: forward, igrad and fgrad.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    /// Row-stationary.
    Rs,
    /// Grad-Flow (EcoFlow).
    Gflow,
    /// Row-stationary on the zero-free decomposition of a strided layer's
    /// gradient passes into stride-1 convolutions (`ir::phases`).
    #[serde(rename = "rs-split")]
    RsSplit,
    /// Per layer and pass, the cheapest of `rs`, `gflow` and `rs-split`
    /// under the objective.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Emit {
    Ast,
    Ir,
    Signals,
    Stats,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// Options of the `gflow-map` pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GflowMapOptions {
    /// The grouping `g` of the Grad-Flow schedules (docs/gflow.md): a
    /// `--gflow-group` number, or the candidate `auto` is trying.
    pub group: i64,
}

impl Default for GflowMapOptions {
    fn default() -> Self {
        GflowMapOptions { group: 1 }
    }
}

/// The options of one pipeline run, handed to every pass: one field per
/// pass that takes options, named after it and read by that pass only
/// (`passes::Pipeline`). Passes without options have no field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PassOptions {
    pub gflow_map: GflowMapOptions,
}

impl PassOptions {
    /// Every pass at its defaults but `gflow-map`, which groups by `group`.
    pub fn gflow_group(group: i64) -> PassOptions {
        PassOptions {
            gflow_map: GflowMapOptions { group },
        }
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
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

impl Objective {
    /// What the objective makes of a layer's energy and cycles (lower is
    /// better): the one definition every ranking uses.
    pub fn score(self, energy_pj: f64, cycles: f64) -> f64 {
        match self {
            Objective::Energy => energy_pj,
            Objective::Latency => cycles,
            Objective::Edp => energy_pj * cycles,
        }
    }
}

/// How much of a layer is simulated with real values and checked
/// (`--verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// The 2-D convolution of image 0, channel 0 and filter 0.
    #[default]
    Sample,
    /// Every 2-D convolution of the layer, every output element checked.
    Full,
}

/// A dataflow as the command line and JSON spell it.
pub fn dataflow_name(d: Dataflow) -> &'static str {
    match d {
        Dataflow::Rs => "rs",
        Dataflow::Gflow => "gflow",
        Dataflow::RsSplit => "rs-split",
        Dataflow::Auto => "auto",
    }
}

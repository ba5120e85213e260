//! The commands as library calls, without printing or exit statuses: read
//! and check a source, run a layer or network, sweep arch values, import a
//! model. The command line (`driver`) and the Python module
//! (`python/`, docs/python.md) both call these, so they compute the same
//! thing; each call either returns its result or a [`Failure`]: the
//! diagnostics with the file name and source text their spans point into.

use std::path::Path;

use crate::backend::{self, Output, Request, Target};
use crate::check::overrides::{apply_overrides, split, SOURCE_NAME};
use crate::diag::render::{render, Style};
use crate::diag::{Code, Diagnostic};
use crate::frontend;
use crate::io::{read_capped, ReadError};
use crate::model::{Arch, Description};
use crate::options::{Dataflow, Emit, Format, GflowGroup, Objective, PassKind, Verify};

mod select;
mod sweep;

pub use select::{select_arch, select_target};
pub use sweep::{sweep, Sweep, SweepOptions};

/// The name a source given as text (not a file) goes by in diagnostics.
pub const TEXT_NAME: &str = "<source>";

/// Where a `.cnn` description comes from.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A file, read whole (at most [`frontend::MAX_SOURCE_BYTES`]).
    Path(&'a Path),
    /// The text itself, shown as [`TEXT_NAME`] in diagnostics.
    Text(&'a str),
}

/// Why a call failed: diagnostics, and the file name and source text their
/// spans point into (empty for diagnostics about options, which have none).
#[derive(Debug, Clone)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    pub file: String,
    pub source: String,
}

impl Failure {
    /// Diagnostics without a source position (bad options, unreadable files).
    pub fn plain(file: &str, diagnostics: Vec<Diagnostic>) -> Failure {
        Failure {
            diagnostics,
            file: file.to_string(),
            source: String::new(),
        }
    }

    /// The diagnostics as `--diagnostics rich|short|json` prints them.
    pub fn render(&self, style: Style, color: bool) -> String {
        render(&self.diagnostics, &self.file, &self.source, style, color)
    }
}

/// A source read and checked, with what is needed to report on it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file name as diagnostics show it.
    pub name: String,
    pub source: String,
    pub desc: Description,
}

impl Loaded {
    /// A failure whose spans point into this source.
    pub fn failure(&self, diagnostics: Vec<Diagnostic>) -> Failure {
        Failure {
            diagnostics,
            file: self.name.clone(),
            source: self.source.clone(),
        }
    }
}

/// Reads and checks a description (`cnnc check`).
pub fn load(input: Input<'_>) -> Result<Loaded, Failure> {
    let (name, bytes) = match input {
        Input::Text(t) => (TEXT_NAME.to_string(), t.as_bytes().to_vec()),
        Input::Path(path) => {
            let name = path.display().to_string();
            match read_capped(path, frontend::MAX_SOURCE_BYTES as u64) {
                Ok(b) => (name, b),
                Err(e) => {
                    let d = match e {
                        ReadError::Unreadable(why) => Diagnostic::error(
                            Code::CannotRead,
                            format!("cannot read `{name}`: {why}"),
                        )
                        .with_help("give the path of a regular .cnn file"),
                        ReadError::TooLarge { cap } => frontend::too_large(cap),
                    };
                    return Err(Failure::plain(&name, vec![d]));
                }
            }
        }
    };
    let source = String::from_utf8_lossy(&bytes).into_owned();
    match frontend::parse_and_check_bytes(&bytes) {
        Ok(desc) => Ok(Loaded { name, source, desc }),
        Err(diagnostics) => Err(Failure {
            diagnostics,
            file: name,
            source,
        }),
    }
}

/// What a run computes and prints: the options of `cnnc FILE` that are not
/// about files.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `--layer`: a layer, `net.layer` or a network; `None` for the only one.
    pub layer: Option<String>,
    pub arch: String,
    /// `--set KEY=VALUE`, in order.
    pub sets: Vec<String>,
    pub pass: PassKind,
    pub dataflow: Dataflow,
    pub gflow_group: GflowGroup,
    pub objective: Objective,
    pub verify: Verify,
    pub emit: Emit,
    pub format: Format,
    pub seed: u64,
    pub after: Option<String>,
    pub compare: bool,
}

impl Default for RunOptions {
    /// The command line's defaults, printing JSON statistics.
    fn default() -> Self {
        RunOptions {
            layer: None,
            arch: "eyeriss".into(),
            sets: Vec::new(),
            pass: PassKind::Forward,
            dataflow: Dataflow::Rs,
            gflow_group: GflowGroup::Auto,
            objective: Objective::Energy,
            verify: Verify::Sample,
            emit: Emit::Stats,
            format: Format::Json,
            seed: 0,
            after: None,
            compare: false,
        }
    }
}

/// A run with its target and arch chosen and the `--set`s applied, ready
/// for the driver to name its side files before it starts.
pub struct Prepared<'l> {
    pub target: Target<'l>,
    pub arch: Arch,
    options: RunOptions,
}

impl<'l> Prepared<'l> {
    /// The back end's request (no side files; the driver adds its own).
    pub fn request(&self) -> Request<'_> {
        let o = &self.options;
        Request {
            target: self.target,
            arch: &self.arch,
            pass: o.pass,
            dataflow: o.dataflow,
            gflow_group: o.gflow_group,
            objective: o.objective,
            verify: o.verify,
            emit: o.emit,
            format: o.format,
            seed: o.seed,
            after: o.after.clone(),
            compare: o.compare,
            pe_stats: None,
            dram_trace: None,
            summary: None,
        }
    }
}

/// Chooses the target and the arch and applies the `--set`s.
pub fn prepare<'l>(loaded: &'l Loaded, options: &RunOptions) -> Result<Prepared<'l>, Failure> {
    let target = select_target(&loaded.desc, options.layer.as_deref(), &loaded.name)
        .and_then(|t| select_arch(&loaded.desc, &options.arch).map(|a| (t, a)));
    let (target, arch) = target.map_err(|d| loaded.failure(vec![d]))?;
    let arch = with_sets(&arch, &options.sets)?;
    Ok(Prepared {
        target,
        arch,
        options: options.clone(),
    })
}

/// Runs a layer or network (`cnnc FILE`): the report in `options.format`.
/// Parts of it the arch refused are in `Output::refusals` (the command line
/// prints the report and exits 1); a run that produced nothing fails.
pub fn run(loaded: &Loaded, options: &RunOptions) -> Result<Output, Failure> {
    let prepared = prepare(loaded, options)?;
    backend::run(&prepared.request()).map_err(|d| loaded.failure(d))
}

/// `arch` with the `--set KEY=VALUE` overrides applied, each checked as an
/// entry of a `.cnn` arch would be.
pub fn with_sets(arch: &Arch, sets: &[String]) -> Result<Arch, Failure> {
    if sets.is_empty() {
        return Ok(arch.clone());
    }
    let pairs = sets
        .iter()
        .map(|s| split(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|d| Failure::plain("cnnc", vec![d]))?;
    apply_overrides(arch, &pairs).map_err(|e| Failure {
        diagnostics: e.diags,
        file: SOURCE_NAME.to_string(),
        source: e.source,
    })
}

/// `cnnc import MODEL [--batch N]`: the `.cnn` text of an ONNX model or a
/// SCALE-Sim topology (`.csv`), with the network named after the file.
/// Cap on an imported file: the largest common ONNX models with their
/// weights (VGG-16, about 550 MB) fit; the protobuf parse holds about
/// twice the file.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

/// An input read whole from a regular file of at most `cap` bytes (never a
/// FIFO or a device), or the diagnostic that says why not (E0921).
pub fn read_input(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, Diagnostic> {
    crate::io::read_capped(path, cap).map_err(|e| {
        let why = match e {
            crate::io::ReadError::Unreadable(why) => why,
            crate::io::ReadError::TooLarge { cap } => {
                format!("it is larger than the {} MiB cap", cap >> 20)
            }
        };
        Diagnostic::error(
            Code::CannotRead,
            format!("cannot read `{}`: {why}", path.display()),
        )
        .with_help(format!("give the path of a regular {what} file"))
    })
}

pub fn import_model(model: &Path, batch: Option<u64>) -> Result<String, Failure> {
    let shown = model.display().to_string();
    let fail = |d: Diagnostic| Failure::plain(&shown, vec![d]);
    let bytes =
        read_input(model, MAX_MODEL_BYTES, "ONNX model or SCALE-Sim topology").map_err(fail)?;
    let stem = model
        .file_stem()
        .map_or("imported".into(), |s| s.to_string_lossy().into_owned());
    let name = crate::import::emit::network_name(&stem);
    let file = model
        .file_name()
        .map_or(shown.clone(), |f| f.to_string_lossy().into_owned());
    if batch == Some(0) {
        return Err(fail(
            Diagnostic::error(
                Code::ImportBadBatch,
                "`--batch 0`: the batch size must be at least 1",
            )
            .with_help("give a positive batch size, e.g. `--batch 4`"),
        ));
    }
    let is_csv = model
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let result = if is_csv {
        let text = String::from_utf8_lossy(&bytes);
        crate::import::scalesim::import(&text, batch.unwrap_or(1)).map(|items| {
            crate::import::emit::network(&name, &format!("the SCALE-Sim topology {file}"), &items)
        })
    } else {
        crate::import::onnx::import(&bytes, batch).map(|m| {
            let from = if m.graph_name.is_empty() {
                format!("the ONNX model {file}, batch {}", m.batch)
            } else {
                format!(
                    "the ONNX model {file} (graph `{}`), batch {}",
                    m.graph_name, m.batch
                )
            };
            crate::import::emit::network(&name, &from, &m.items)
        })
    };
    result.map_err(fail)
}

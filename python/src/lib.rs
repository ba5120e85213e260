//! `cnnc._native`: the calls of `cnnc::api` for Python. Each returns the
//! command line's output text (JSON) and, on failure, the diagnostics
//! rendered twice: as text (`rich`, without colour) and as JSON Lines; the
//! pure-Python package (`python/cnnc/__init__.py`) parses the JSON and
//! raises `cnnc.CnncError`. Keeping exceptions and dicts on the Python side
//! keeps this file small.
//!
//! Every call runs on a thread of its own while the calling thread waits
//! without the GIL, waking every 50 ms to let Python handle signals: Ctrl-C
//! raises `KeyboardInterrupt` at once. The abandoned work runs to its end
//! on its thread (Rust threads cannot be killed) and its result is dropped.

use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use cnnc::api::{self, Failure, Input, RunOptions, SweepOptions};
use cnnc::diag::render::Style;
use cnnc::options::{Dataflow, Objective, PassKind, Verify};
use cnnc::sweep::spec::parse_shard;
use crossbeam_channel::{bounded, RecvTimeoutError};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// What a call returns to Python: the output text, or the failure as
/// (rendered text, JSON Lines).
type Reply = (Option<String>, Option<(String, String)>);

fn failed(f: &Failure) -> Option<(String, String)> {
    Some((f.render(Style::Rich, false), f.render(Style::Json, false)))
}

/// Runs `work` on its own thread; see the module comment.
fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = bounded(1);
    std::thread::Builder::new()
        .name("cnnc-call".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    loop {
        match py.allow_threads(|| rx.recv_timeout(Duration::from_millis(50))) {
            Ok(v) => return Ok(v),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "internal error: the cnnc call stopped without a result (a bug in cnnc)",
                ))
            }
        }
    }
}

/// A value of an option, spelled as on the command line.
fn choice<T: ValueEnum>(option: &str, value: &str) -> PyResult<T> {
    T::from_str(value, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| format!("'{}'", p.get_name()))
            .collect();
        PyValueError::new_err(format!(
            "{option}={value:?}: expected one of {}",
            names.join(", ")
        ))
    })
}

/// The description: a path, or the source text itself.
enum Owned {
    Path(PathBuf),
    Text(String),
}

impl Owned {
    fn new(input: String, is_path: bool) -> Owned {
        if is_path {
            Owned::Path(PathBuf::from(input))
        } else {
            Owned::Text(input)
        }
    }

    fn input(&self) -> Input<'_> {
        match self {
            Owned::Path(p) => Input::Path(p),
            Owned::Text(t) => Input::Text(t),
        }
    }
}

/// `cnnc check FILE`: `None`, or the failure.
#[pyfunction]
fn check(py: Python<'_>, input: String, is_path: bool) -> PyResult<Option<(String, String)>> {
    let owned = Owned::new(input, is_path);
    interruptible(py, move || {
        api::load(owned.input()).err().and_then(|f| failed(&f))
    })
}

/// `cnnc FILE --format json ...`: the report and the refusals, if any.
#[pyfunction]
#[pyo3(signature = (input, is_path, layer, arch, passes, dataflow, objective, verify, sets, seed, compare))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    input: String,
    is_path: bool,
    layer: Option<String>,
    arch: String,
    passes: &str,
    dataflow: &str,
    objective: &str,
    verify: &str,
    sets: Vec<String>,
    seed: u64,
    compare: bool,
) -> PyResult<Reply> {
    let options = RunOptions {
        layer,
        arch,
        sets,
        pass: choice::<PassKind>("passes", passes)?,
        dataflow: choice::<Dataflow>("dataflow", dataflow)?,
        objective: choice::<Objective>("objective", objective)?,
        verify: choice::<Verify>("verify", verify)?,
        seed,
        compare,
        ..RunOptions::default()
    };
    let owned = Owned::new(input, is_path);
    interruptible(py, move || {
        let loaded = match api::load(owned.input()) {
            Ok(l) => l,
            Err(f) => return (None, failed(&f)),
        };
        match api::run(&loaded, &options) {
            Ok(out) if out.refusals.is_empty() => (Some(out.text), None),
            Ok(out) => (Some(out.text), failed(&loaded.failure(out.refusals))),
            Err(f) => (None, failed(&f)),
        }
    })
}

/// `cnnc sweep FILE --format json ...`: JSON Lines, one point each.
#[pyfunction]
#[pyo3(signature = (input, is_path, layer, arch, vary, sets, passes, dataflows, objective, seed, shard, no_pareto))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    input: String,
    is_path: bool,
    layer: Option<String>,
    arch: String,
    vary: Vec<String>,
    sets: Vec<String>,
    passes: &str,
    dataflows: Vec<String>,
    objective: &str,
    seed: u64,
    shard: Option<String>,
    no_pareto: bool,
) -> PyResult<Reply> {
    let shard = match shard.as_deref() {
        None => None,
        Some("auto") => match cnnc::sweep::job_array::from_job_array(&|n| std::env::var(n).ok()) {
            Ok(found) => Some(found.shard),
            Err(d) => return Ok((None, failed(&Failure::plain("cnnc", vec![d])))),
        },
        Some(text) => match parse_shard(text) {
            Ok(s) => Some(s),
            Err(d) => return Ok((None, failed(&Failure::plain("cnnc", vec![d])))),
        },
    };
    let options = SweepOptions {
        layer,
        arch,
        vary,
        sets,
        pass: choice::<PassKind>("passes", passes)?,
        dataflows: dataflows
            .iter()
            .map(|d| choice::<Dataflow>("dataflow", d))
            .collect::<PyResult<_>>()?,
        objective: choice::<Objective>("objective", objective)?,
        seed,
        shard,
        no_pareto,
        ..SweepOptions::default()
    };
    let owned = Owned::new(input, is_path);
    interruptible(py, move || match api::sweep(owned.input(), &options) {
        Ok(s) => (Some(s.render(false)), None),
        Err(f) => (None, failed(&f)),
    })
}

/// `cnnc import MODEL [--batch N]`: the `.cnn` text.
#[pyfunction]
#[pyo3(signature = (path, batch))]
fn import_model(py: Python<'_>, path: String, batch: Option<u64>) -> PyResult<Reply> {
    interruptible(py, move || match api::import_model(path.as_ref(), batch) {
        Ok(text) => (Some(text), None),
        Err(f) => (None, failed(&f)),
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(import_model, m)?)?;
    Ok(())
}

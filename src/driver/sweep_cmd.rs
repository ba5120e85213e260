//! The `cnnc sweep` and `cnnc sweep-merge` commands: arguments (`--shard
//! auto` read from the job array), the sweep itself (`api::sweep`), writing
//! the rows and figures.

use std::path::Path;

use crate::api::{self, Input, SweepOptions};
use crate::cli::DiagnosticsStyle;
use crate::cli::{MergeArgs, SweepArgs, SweepFormat};
use crate::diag::{Code, Diagnostic};
use crate::driver::{out_error, write_main};
use crate::driver::{report, report_failure, Io, EXIT_INPUT, EXIT_OK};
use crate::io::OutFile;
use crate::sweep::job_array::from_job_array;
use crate::sweep::spec::{parse_shard, Shard};

/// Prints diagnostics that have no source position.
fn plain(io: &mut Io, d: Diagnostic, style: DiagnosticsStyle) -> i32 {
    report(io, &[d], "cnnc", "", style);
    EXIT_INPUT
}

/// Prepares `-o PATH` before any work (E0920 if it cannot be written,
/// E0922 if it names an input).
pub(crate) fn prepare(
    path: Option<&Path>,
    inputs: &[&Path],
) -> Result<Option<OutFile>, Diagnostic> {
    path.map(|p| OutFile::create(p, inputs).map_err(|e| out_error(p, e)))
        .transpose()
}

/// Writes `text` to the prepared `-o` file whole, or to stdout (E0920 if
/// either fails).
pub(crate) fn emit(io: &mut Io, out: Option<OutFile>, text: &str, style: DiagnosticsStyle) -> i32 {
    match write_main(io, out, text) {
        Ok(()) => EXIT_OK,
        Err(d) => plain(io, d, style),
    }
}

/// Cap on one `sweep-merge` shard: 100 000 points of rows of a few hundred
/// bytes are well under it.
pub const MAX_SHARD_BYTES: u64 = 64 << 20;
/// Cap on all the shards of one merge together.
pub const MAX_MERGE_BYTES: u64 = 256 << 20;

pub fn run(a: &SweepArgs, io: &mut Io) -> i32 {
    let style = a.diagnostics;
    let shard = match a.shard.as_deref() {
        None => None,
        Some(text) => match shard_of(text, io) {
            Ok(s) => Some(s),
            Err(d) => return plain(io, d, style),
        },
    };
    if let (Some(_), Some(_)) = (&a.plot, &shard) {
        return plain(
            io,
            Diagnostic::error(
                Code::BadShard,
                "`--plot` with `--shard`: the front needs every point",
            )
            .with_help("plot the whole sweep: `cnnc sweep-merge SHARDS... --plot DIR`"),
            style,
        );
    }
    let options = SweepOptions {
        layer: a.layer.clone(),
        arch: a.arch.clone(),
        vary: a.vary.clone(),
        sets: a.set.clone(),
        pass: a.pass,
        dataflows: a.dataflow.clone(),
        gflow_group: a.search.gflow_group,
        objective: a.search.objective,
        seed: a.seed,
        shard,
        no_pareto: a.no_pareto,
        progress: true,
    };
    // Before the work: an unwritable `-o` fails now, not after the sweep.
    let out = match prepare(a.output.as_deref(), &[&a.file]) {
        Ok(o) => o,
        Err(d) => return plain(io, d, style),
    };
    let done = match api::sweep(Input::Path(&a.file), &options) {
        Ok(s) => s,
        Err(f) => return report_failure(io, &f, style),
    };
    let text = done.render(a.format == SweepFormat::Csv);
    if let Some(dir) = &a.plot {
        if let Err(d) = crate::plot::sweep_figure(dir, &done.rows, &done.keys) {
            return plain(io, d, style);
        }
    }
    emit(io, out, &text, style)
}

/// `--shard K/N`, or `--shard auto`: the task of the job array this runs
/// in, said on standard error.
fn shard_of(text: &str, io: &mut Io) -> Result<Shard, Diagnostic> {
    if text != "auto" {
        return parse_shard(text);
    }
    let found = from_job_array(&|name| std::env::var(name).ok())?;
    let _ = writeln!(
        io.err,
        "cnnc: --shard auto: {} ({}): shard {}/{}",
        found.scheduler, found.variables, found.shard.k, found.shard.n
    );
    Ok(found.shard)
}

pub fn run_merge(a: &MergeArgs, io: &mut Io) -> i32 {
    let style = DiagnosticsStyle::Rich;
    let inputs: Vec<&Path> = a.shards.iter().map(|p| p.as_path()).collect();
    let out = match prepare(a.output.as_deref(), &inputs) {
        Ok(o) => o,
        Err(d) => return plain(io, d, style),
    };
    let mut texts = Vec::new();
    let mut total = 0u64;
    for p in &a.shards {
        let cap = MAX_SHARD_BYTES.min(MAX_MERGE_BYTES - total);
        match api::read_input(p, cap, "sweep shard (CSV or text)") {
            Ok(b) => {
                total += b.len() as u64;
                texts.push(String::from_utf8_lossy(&b).into_owned());
            }
            Err(d) => return plain(io, d, style),
        }
    }
    let merged = match crate::sweep::merge::merge(&texts) {
        Ok(m) => m,
        Err(d) => return plain(io, d, style),
    };
    if let Some(dir) = &a.plot {
        if let Err(d) = crate::plot::merged_figure(dir, &merged) {
            return plain(io, d, style);
        }
    }
    emit(io, out, &merged.text, style)
}

//! The `cnnc sweep` and `cnnc sweep-merge` commands: arguments (`--shard
//! auto` read from the job array), the sweep itself (`api::sweep`), writing
//! the rows and figures.

use std::path::Path;

use crate::api::{self, Input, SweepOptions};
use crate::cli::DiagnosticsStyle;
use crate::cli::{MergeArgs, SweepArgs, SweepFormat};
use crate::diag::{Code, Diagnostic};
use crate::driver::{report, report_failure, Io, EXIT_INPUT, EXIT_OK};
use crate::sweep::job_array::from_job_array;
use crate::sweep::spec::{parse_shard, Shard};

/// Prints diagnostics that have no source position.
fn plain(io: &mut Io, d: Diagnostic, style: DiagnosticsStyle) -> i32 {
    report(io, &[d], "cnnc", "", style);
    EXIT_INPUT
}

/// Writes `text` to `path` whole, or to stdout.
pub(crate) fn emit(io: &mut Io, path: Option<&Path>, text: &str) -> i32 {
    match path {
        Some(p) => match crate::io::outfile::write_whole(p, text.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                let _ = writeln!(io.err, "cnnc: cannot write `{}`: {e}", p.display());
                EXIT_INPUT
            }
        },
        None => {
            let _ = io.out.write_all(text.as_bytes());
            let _ = io.out.flush();
            EXIT_OK
        }
    }
}

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
    emit(io, a.output.as_deref(), &text)
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
    let mut texts = Vec::new();
    for p in &a.shards {
        match std::fs::read_to_string(p) {
            Ok(t) => texts.push(t),
            Err(e) => {
                let _ = writeln!(io.err, "cnnc: cannot read `{}`: {e}", p.display());
                return EXIT_INPUT;
            }
        }
    }
    let merged = match crate::sweep::merge::merge(&texts) {
        Ok(m) => m,
        Err(d) => return plain(io, d, DiagnosticsStyle::Rich),
    };
    if let Some(dir) = &a.plot {
        if let Err(d) = crate::plot::merged_figure(dir, &merged) {
            return plain(io, d, DiagnosticsStyle::Rich);
        }
    }
    emit(io, a.output.as_deref(), &merged.text)
}

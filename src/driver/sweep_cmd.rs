//! The `cnnc sweep` and `cnnc sweep-merge` commands: arguments, checking
//! the varied values against the arch, running the points in parallel,
//! writing the rows.

use std::path::Path;

use crate::io::OutFile;

use crate::backend::{parallel::parallel_map, Target};
use crate::check::overrides::{apply_overrides, split, SOURCE_NAME};
use crate::cli::DiagnosticsStyle;
use crate::cli::{MergeArgs, SweepArgs, SweepFormat};
use crate::diag::{Code, Diagnostic};
use crate::driver::{
    load, out_error, read_input, report, select_arch, select_target, write_main, Io, EXIT_INPUT,
    EXIT_OK,
};
use crate::model::{Arch, Layer};
use crate::sweep::point::evaluate;
use crate::sweep::rows::{render, Row};
use crate::sweep::spec::{count, parse_shard, parse_vary, point, Shard, Vary};

use crate::progress::Progress;

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

/// Checks every value of every `--vary` (and the `--set`s) against `base`,
/// so a bad value is reported once, before anything runs.
fn check_values(
    base: &Arch,
    sets: &[(String, String)],
    varies: &[Vary],
) -> Result<Arch, crate::check::overrides::OverrideError> {
    let fixed = apply_overrides(base, sets)?;
    for v in varies {
        for value in &v.values {
            apply_overrides(&fixed, &[(v.key.clone(), value.clone())])?;
        }
    }
    Ok(fixed)
}

pub fn run(a: &SweepArgs, io: &mut Io) -> i32 {
    let style = a.diagnostics;
    let mut varies = Vec::new();
    for text in &a.vary {
        match parse_vary(text) {
            Ok(v) => varies.push(v),
            Err(d) => return plain(io, d, style),
        }
    }
    let mut sets = Vec::new();
    for s in &a.set {
        match split(s) {
            Ok(kv) => sets.push(kv),
            Err(d) => return plain(io, d, style),
        }
    }
    let mut keys: Vec<&str> = varies.iter().map(|v| v.key.as_str()).collect();
    keys.extend(sets.iter().map(|(k, _)| k.as_str()));
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].contains(k) {
            return plain(
                io,
                Diagnostic::error(Code::VariedTwice, format!("`{k}` is varied or set twice"))
                    .with_help(
                    "give each key once: all its values in one `--vary KEY=V1,V2`, or one `--set`",
                ),
                style,
            );
        }
    }
    let mut dataflows = a.dataflow.clone();
    dataflows.dedup();
    let shard = match a.shard.as_deref().map(parse_shard).transpose() {
        Ok(s) => s.unwrap_or(Shard::WHOLE),
        Err(d) => return plain(io, d, style),
    };
    let total = match count(&varies, dataflows.len()) {
        Ok(n) => n,
        Err(d) => return plain(io, d, style),
    };
    if let (Some(_), Some(_)) = (&a.plot, &a.shard) {
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
    // Before the work: an unwritable `-o` fails now, not after the sweep.
    let out = match prepare(a.output.as_deref(), &[&a.file]) {
        Ok(o) => o,
        Err(d) => return plain(io, d, style),
    };
    let loaded = match load(&a.file, style, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let chosen = select_target(&loaded.desc, a.layer.as_deref(), &loaded.name)
        .and_then(|t| select_arch(&loaded.desc, &a.arch).map(|arch| (t, arch)));
    let (target, base) = match chosen {
        Ok(x) => x,
        Err(d) => {
            report(io, &[d], &loaded.name, &loaded.source, style);
            return EXIT_INPUT;
        }
    };
    let fixed = match check_values(&base, &sets, &varies) {
        Ok(arch) => arch,
        Err(e) => {
            report(io, &e.diags, SOURCE_NAME, &e.source, style);
            return EXIT_INPUT;
        }
    };
    let layers: Vec<&Layer> = match target {
        Target::Layer(l) => vec![l],
        Target::Network(n) => n.layers.iter().collect(),
    };
    let passes = crate::backend::passes_of(a.pass);
    let indices: Vec<usize> = shard.range(total).collect();
    let progress = Progress::new(indices.len(), "design points");
    let results = parallel_map(&indices, |&i| {
        let p = point(&varies, &dataflows, i);
        let arch = apply_overrides(&fixed, &p.values).map_err(|e| {
            e.diags
                .into_iter()
                .next()
                .unwrap_or_else(|| Diagnostic::error(Code::BadVary, "bad value"))
        })?;
        let outcome = evaluate(
            &layers,
            &passes,
            &arch,
            p.dataflow,
            a.search.gflow_group,
            a.search.objective,
            a.seed,
        );
        progress.inc();
        Ok(Row {
            point: p,
            outcome: outcome?,
            pareto: None,
        })
    });
    drop(progress);
    let mut rows = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(row) => rows.push(row),
            Err(d) => failures.push(d),
        }
    }
    if !failures.is_empty() {
        report(io, &failures, &loaded.name, &loaded.source, style);
        return EXIT_INPUT;
    }
    // The front needs every point: only a run that saw them all marks it.
    // Any `--shard`, even 1/1, prints shard output, so that the outputs of
    // one job array always concatenate.
    if a.shard.is_none() && !a.no_pareto {
        let te: Vec<_> = rows.iter().map(Row::time_energy).collect();
        for (row, on) in rows.iter_mut().zip(crate::sweep::pareto::front(&te)) {
            row.pareto = Some(on);
        }
    }
    let key_names: Vec<String> = varies.iter().map(|v| v.key.clone()).collect();
    let csv = a.format == SweepFormat::Csv;
    let text = render(&rows, &key_names, csv, shard.k == 1);
    if let Some(dir) = &a.plot {
        if let Err(d) = crate::plot::sweep_figure(dir, &rows, &key_names) {
            return plain(io, d, style);
        }
    }
    emit(io, out, &text, style)
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
        match read_input(p, cap, "sweep shard (CSV or text)") {
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

/// `--set` on a run: `arch` with the overrides, or the exit status after
/// reporting why not.
pub(crate) fn with_sets(
    arch: &Arch,
    sets: &[String],
    style: DiagnosticsStyle,
    io: &mut Io,
) -> Result<Arch, i32> {
    if sets.is_empty() {
        return Ok(arch.clone());
    }
    let mut pairs = Vec::new();
    for s in sets {
        match split(s) {
            Ok(kv) => pairs.push(kv),
            Err(d) => return Err(plain(io, d, style)),
        }
    }
    apply_overrides(arch, &pairs).map_err(|e| {
        report(io, &e.diags, SOURCE_NAME, &e.source, style);
        EXIT_INPUT
    })
}

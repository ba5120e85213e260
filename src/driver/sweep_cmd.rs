//! The `cnnc sweep` and `cnnc sweep-merge` commands: arguments, checking
//! the varied values against the arch, running the points in parallel,
//! writing the rows.

use std::path::Path;

use crate::backend::{parallel::parallel_map, Target};
use crate::check::overrides::{apply_overrides, split, SOURCE_NAME};
use crate::cli::DiagnosticsStyle;
use crate::cli::{MergeArgs, SweepArgs, SweepFormat};
use crate::diag::{Code, Diagnostic};
use crate::driver::{load, report, select_arch, select_target, Io, EXIT_INPUT, EXIT_OK};
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
    if let Some(dir) = &a.plot {
        if let Err(d) = crate::plot::sweep_figure(dir, &rows, &key_names) {
            return plain(io, d, style);
        }
    }
    emit(io, a.output.as_deref(), &text)
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

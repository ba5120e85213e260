//! `cnnc sweep` as a call: check the varied values against the arch once,
//! cost every design point of the slice in parallel, mark the Pareto front
//! when the slice is the whole sweep.

use crate::backend::{parallel::parallel_map, passes_of, Target};
use crate::check::overrides::{apply_overrides, split, OverrideError, SOURCE_NAME};
use crate::diag::{Code, Diagnostic};
use crate::model::{Arch, Layer};
use crate::options::{Dataflow, GflowGroup, Objective, PassKind};
use crate::progress::Progress;
use crate::sweep::point::evaluate;
use crate::sweep::rows::{render, Row};
use crate::sweep::spec::{count, parse_vary, point, Shard, Vary};

use super::{load, select_arch, select_target, Failure, Input};

/// The options of `cnnc sweep` that are not about files.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub layer: Option<String>,
    pub arch: String,
    /// `--vary KEY=V1,V2,...`, in order: the first changes slowest.
    pub vary: Vec<String>,
    /// `--set KEY=VALUE`, fixed for every point.
    pub sets: Vec<String>,
    pub pass: PassKind,
    /// Each point is costed with each of these, in order (repeats dropped).
    pub dataflows: Vec<Dataflow>,
    pub gflow_group: GflowGroup,
    pub objective: Objective,
    pub seed: u64,
    /// `--shard K/N`; `None` runs every point and marks the front.
    pub shard: Option<Shard>,
    /// `--no-pareto`.
    pub no_pareto: bool,
    /// Count the points done on standard error (the command line does).
    pub progress: bool,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            layer: None,
            arch: "eyeriss".into(),
            vary: Vec::new(),
            sets: Vec::new(),
            pass: PassKind::Forward,
            dataflows: vec![Dataflow::Rs],
            gflow_group: GflowGroup::Auto,
            objective: Objective::Energy,
            seed: 0,
            shard: None,
            no_pareto: false,
            progress: false,
        }
    }
}

/// The rows of a sweep (or of its slice), in point order.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub rows: Vec<Row>,
    /// The varied keys, in `--vary` order: the rows' first columns.
    pub keys: Vec<String>,
    pub shard: Option<Shard>,
}

impl Sweep {
    /// The rows as `--format csv` (with its header only on the first
    /// slice, so slices concatenate) or `--format json` (JSON Lines).
    pub fn render(&self, csv: bool) -> String {
        let first = self.shard.is_none_or(|s| s.k == 1);
        render(&self.rows, &self.keys, csv, first)
    }
}

/// Checks every value of every `--vary` (and the `--set`s) against `base`,
/// so a bad value is reported once, before anything runs.
fn check_values(
    base: &Arch,
    sets: &[(String, String)],
    varies: &[Vary],
) -> Result<Arch, OverrideError> {
    let fixed = apply_overrides(base, sets)?;
    for v in varies {
        for value in &v.values {
            apply_overrides(&fixed, &[(v.key.clone(), value.clone())])?;
        }
    }
    Ok(fixed)
}

fn plain(d: Diagnostic) -> Failure {
    Failure::plain("cnnc", vec![d])
}

/// Runs the sweep `o` describes on the description `input`.
pub fn sweep(input: Input<'_>, o: &SweepOptions) -> Result<Sweep, Failure> {
    let varies = o
        .vary
        .iter()
        .map(|t| parse_vary(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(plain)?;
    let sets = o
        .sets
        .iter()
        .map(|s| split(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(plain)?;
    let mut keys: Vec<&str> = varies.iter().map(|v| v.key.as_str()).collect();
    keys.extend(sets.iter().map(|(k, _)| k.as_str()));
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].contains(k) {
            return Err(plain(
                Diagnostic::error(Code::VariedTwice, format!("`{k}` is varied or set twice"))
                    .with_help(
                    "give each key once: all its values in one `--vary KEY=V1,V2`, or one `--set`",
                ),
            ));
        }
    }
    if varies.is_empty() {
        return Err(plain(
            Diagnostic::error(Code::BadVary, "nothing is varied")
                .with_help("give at least one `--vary KEY=V1,V2,...`"),
        ));
    }
    let mut dataflows = o.dataflows.clone();
    dataflows.dedup();
    if dataflows.is_empty() {
        dataflows.push(Dataflow::Rs);
    }
    let total = count(&varies, dataflows.len()).map_err(plain)?;
    let loaded = load(input)?;
    let chosen = select_target(&loaded.desc, o.layer.as_deref(), &loaded.name)
        .and_then(|t| select_arch(&loaded.desc, &o.arch).map(|arch| (t, arch)));
    let (target, base) = chosen.map_err(|d| loaded.failure(vec![d]))?;
    let fixed = check_values(&base, &sets, &varies).map_err(|e| Failure {
        diagnostics: e.diags,
        file: SOURCE_NAME.to_string(),
        source: e.source,
    })?;
    let layers: Vec<&Layer> = match target {
        Target::Layer(l) => vec![l],
        Target::Network(n) => n.layers.iter().collect(),
    };
    let passes = passes_of(o.pass);
    let shard = o.shard.unwrap_or(Shard::WHOLE);
    let indices: Vec<usize> = shard.range(total).collect();
    let progress = o
        .progress
        .then(|| Progress::new(indices.len(), "design points"));
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
            o.gflow_group,
            o.objective,
            o.seed,
        );
        if let Some(bar) = &progress {
            bar.inc();
        }
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
        return Err(loaded.failure(failures));
    }
    // The front needs every point: only a run that saw them all marks it.
    // Any shard, even 1/1, prints shard output, so that the outputs of one
    // job array always concatenate.
    if o.shard.is_none() && !o.no_pareto {
        let te: Vec<_> = rows.iter().map(Row::time_energy).collect();
        for (row, on) in rows.iter_mut().zip(crate::sweep::pareto::front(&te)) {
            row.pareto = Some(on);
        }
    }
    Ok(Sweep {
        rows,
        keys: varies.into_iter().map(|v| v.key).collect(),
        shard: o.shard,
    })
}

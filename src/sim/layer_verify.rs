//! `--verify full`: every 2-D convolution of the layer (all images,
//! filters, channels and groups) simulated with its own data, the psums of
//! each output slice accumulated as the global buffer would, and every
//! output element of the layer checked against the ndarray reference.

use ndarray::Array2;
use serde::Serialize;

use super::data::Slices;
use super::{reference, ArrayParams, Machine, Mismatch};
use crate::diag::{Code, Diagnostic, IntoDiagnostic};
use crate::ir::{Module, OutKind};

/// Most PE-cycles of control full verification simulates for one layer
/// pass; beyond it the request is refused before any work is done.
pub const MAX_FULL_PE_CYCLES: u128 = 200_000_000_000;

/// What the verification of a layer found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerVerification {
    /// `full`: every 2-D convolution simulated; `sample`: only the one of
    /// image 0, channel 0 and filter 0.
    pub mode: &'static str,
    pub verified: bool,
    /// Output elements of the layer checked against the reference.
    pub verified_outputs: u64,
    /// 2-D convolutions simulated with real values.
    pub convs_simulated: u64,
    /// The first wrong elements (at most 10): `(slice, mismatch)`, the
    /// slice as `(outer, inner)` = (image, filter), (image, channel) or
    /// (filter, channel) for forward, igrad and fgrad.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<((u64, u64), Mismatch)>,
}

/// One output slice of the layer and the (image, channel, filter) triples
/// whose convolutions add up into it: term `k` varies one index from
/// `start` (channels for forward, filters for igrad, images for fgrad).
struct Job {
    slice: (u64, u64),
    kind: OutKind,
    start: u64,
    len: u64,
}

impl Job {
    fn term(&self, k: u64) -> (u64, u64, u64) {
        let (a, b) = self.slice;
        let v = self.start + k;
        match self.kind {
            OutKind::Ofmap => (a, v, b),
            OutKind::InputGrad => (a, b, v),
            OutKind::FilterGrad => (v, b, a),
        }
    }
}

/// The output slices of the layer's pass and the 2-D convolutions they
/// take, counted without listing them (a batch of 10^12 is one product).
fn counts(m: &Module, kind: OutKind) -> (u128, u128) {
    let l = &m.layer;
    let g = u128::from(l.groups.max(1));
    let (batch, channels, filters) = (
        u128::from(l.batch),
        u128::from(l.channels),
        u128::from(l.filters),
    );
    let (cg, fg) = (channels / g, filters / g);
    match kind {
        OutKind::Ofmap => (batch * filters, batch * filters * cg),
        OutKind::InputGrad => (batch * channels, batch * channels * fg),
        OutKind::FilterGrad => (filters * cg, filters * cg * batch),
    }
}

/// The least work `--verify full` does on the layer's pass: its 2-D
/// convolutions at their fixed cost alone. Over [`MAX_FULL_PE_CYCLES`], no
/// full mode (whole-layer or convolution by convolution) is attempted.
pub fn full_work_floor(m: &Module) -> u128 {
    let kind = crate::ir::OutKind::of(m.pass);
    counts(m, kind).1.saturating_mul(CONV_OVERHEAD_PE_CYCLES)
}

/// The `i`-th output slice of the pass, in the order the report lists
/// them (image-major for forward and igrad, filter-major for fgrad).
fn job(m: &Module, kind: OutKind, i: u64) -> Job {
    let l = &m.layer;
    let g = l.groups.max(1);
    let (cg, fg) = (l.channels / g, l.filters / g);
    match kind {
        OutKind::Ofmap => {
            let (n, f) = (i / l.filters, i % l.filters);
            Job {
                slice: (n, f),
                kind,
                start: (f / fg.max(1)) * cg,
                len: cg,
            }
        }
        OutKind::InputGrad => {
            let (n, c) = (i / l.channels, i % l.channels);
            Job {
                slice: (n, c),
                kind,
                start: (c / cg.max(1)) * fg,
                len: fg,
            }
        }
        OutKind::FilterGrad => {
            let (f, k) = (i / cg.max(1), i % cg.max(1));
            let c = (f / fg.max(1)) * cg + k;
            Job {
                slice: (f, c),
                kind,
                start: 0,
                len: l.batch,
            }
        }
    }
}

/// Output slices verified at a time: the jobs and their results are held
/// for one chunk only, so memory does not grow with the batch.
const CHUNK: u64 = 4096;

/// What one 2-D convolution costs besides its PE-cycles (its data, its
/// reference convolution, the interpreter's start), in PE-cycles: a layer
/// of a billion one-element convolutions is refused, not run for hours.
pub const CONV_OVERHEAD_PE_CYCLES: u128 = 10_000;

fn refuse(m: &Module, work: u128) -> Diagnostic {
    Diagnostic::error(
        Code::VerifyTooLarge,
        format!(
            "full verification of layer `{}` would simulate {work} PE-cycles",
            m.layer.name
        ),
    )
    .with_primary(m.layer.span, "this layer")
    .with_note(format!(
        "cnnc simulates at most {MAX_FULL_PE_CYCLES} PE-cycles per layer pass in `--verify full`"
    ))
    .with_help("use the default `--verify sample`, or a smaller batch or tile of the layer")
}

/// Simulates every 2-D convolution of the layer and checks every output.
pub fn verify_full(m: &Module, seed: u64) -> Result<LayerVerification, Diagnostic> {
    let p = m
        .program
        .as_ref()
        .ok_or_else(|| Diagnostic::error(Code::Internal, "internal error: verify before lower"))?;
    let kind = p.out_kind;
    // Counted before anything is listed or allocated.
    let (slices, convs) = counts(m, kind);
    let per_conv = p.rows as u128 * p.cols as u128 * p.length as u128;
    let work = convs.saturating_mul(per_conv.saturating_add(CONV_OVERHEAD_PE_CYCLES));
    if work > MAX_FULL_PE_CYCLES {
        return Err(refuse(m, work));
    }
    // Both fit in u64 now: each is at most the work.
    let (slices, convs) = (slices as u64, convs as u64);
    let params = ArrayParams::of(&m.arch);
    let machine = Machine::new(p, params).map_err(IntoDiagnostic::into_diagnostic)?;
    let l = &m.layer;
    // Gradient elements no product reaches are structurally zero; so are
    // the outputs of a transposed layer no input reaches.
    let unwritten_ok = kind != OutKind::Ofmap || l.transposed;
    let check = |job: &Job| -> Result<(u64, Vec<Mismatch>), Diagnostic> {
        let mut sum: Option<Vec<Option<i64>>> = None;
        let mut expected: Option<Array2<i64>> = None;
        for k in 0..job.len {
            let (n, c, f) = job.term(k);
            let slices = Slices::generate(seed, l.ifmap, l.filter, l.ofmap, n, c, f);
            let run = machine
                .run(&|s| slices.resolve(s))
                .map_err(IntoDiagnostic::into_diagnostic)?;
            let r = reference::reference(kind, l, &slices);
            match (&mut sum, &mut expected) {
                (Some(acc), Some(e)) => {
                    for (a, v) in acc.iter_mut().zip(&run.outputs) {
                        *a = match (*a, *v) {
                            (Some(x), Some(y)) => Some(x.wrapping_add(y)),
                            (x, None) => x,
                            (None, y) => y,
                        };
                    }
                    *e += &r;
                }
                _ => {
                    sum = Some(run.outputs);
                    expected = Some(r);
                }
            }
        }
        match (sum, expected) {
            (Some(s), Some(e)) => Ok((e.len() as u64, super::check_outputs(&e, &s, unwritten_ok))),
            _ => Ok((0, Vec::new())),
        }
    };
    // A layer in full mode can run for minutes: a bar on a terminal.
    let progress = crate::progress::Progress::new(slices as usize, "output slices verified");
    let mut v = LayerVerification {
        mode: "full",
        verified: true,
        verified_outputs: 0,
        convs_simulated: convs,
        mismatches: Vec::new(),
    };
    let mut first = 0;
    while first < slices {
        let jobs: Vec<Job> = (first..slices.min(first + CHUNK))
            .map(|i| job(m, kind, i))
            .collect();
        first += CHUNK;
        let results = crate::parallel::map_in_order(&jobs, |job| {
            let r = check(job);
            progress.inc();
            r
        });
        fold(&mut v, &jobs, results)?;
    }
    drop(progress);
    Ok(v)
}

/// One output slice checked: its outputs and the wrong ones.
type SliceResult = Result<(u64, Vec<Mismatch>), Diagnostic>;

/// Adds one chunk's results to `v`.
fn fold(
    v: &mut LayerVerification,
    jobs: &[Job],
    results: Vec<Option<SliceResult>>,
) -> Result<(), Diagnostic> {
    for (job, r) in jobs.iter().zip(results) {
        // A worker that did not finish is cnnc's fault, not the schedule's.
        let (outputs, bad) = r.ok_or_else(|| {
            Diagnostic::error(
                Code::Internal,
                "internal error: a worker of the full verification did not finish",
            )
        })??;
        v.verified_outputs += outputs;
        if !bad.is_empty() {
            v.verified = false;
        }
        for b in bad {
            if v.mismatches.len() < 10 {
                v.mismatches.push((job.slice, b));
            }
        }
    }
    Ok(())
}

/// The default: the verification of the one simulated convolution.
pub fn sample(outputs: u64, verified: bool) -> LayerVerification {
    LayerVerification {
        mode: "sample",
        verified,
        verified_outputs: outputs,
        convs_simulated: 1,
        mismatches: Vec::new(),
    }
}

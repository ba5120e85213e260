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
/// whose convolutions add up into it.
struct Job {
    slice: (u64, u64),
    terms: Vec<(u64, u64, u64)>,
}

/// The output slices of the layer's pass, each with its terms.
fn jobs(m: &Module, kind: OutKind) -> Vec<Job> {
    let l = &m.layer;
    let g = l.groups.max(1);
    let (cg, fg) = (l.channels / g, l.filters / g);
    let mut out = Vec::new();
    match kind {
        OutKind::Ofmap => {
            for n in 0..l.batch {
                for f in 0..l.filters {
                    let c0 = (f / fg.max(1)) * cg;
                    let terms = (c0..c0 + cg).map(|c| (n, c, f)).collect();
                    out.push(Job {
                        slice: (n, f),
                        terms,
                    });
                }
            }
        }
        OutKind::InputGrad => {
            for n in 0..l.batch {
                for c in 0..l.channels {
                    let f0 = (c / cg.max(1)) * fg;
                    let terms = (f0..f0 + fg).map(|f| (n, c, f)).collect();
                    out.push(Job {
                        slice: (n, c),
                        terms,
                    });
                }
            }
        }
        OutKind::FilterGrad => {
            for f in 0..l.filters {
                let c0 = (f / fg.max(1)) * cg;
                for c in c0..c0 + cg {
                    let terms = (0..l.batch).map(|n| (n, c, f)).collect();
                    out.push(Job {
                        slice: (f, c),
                        terms,
                    });
                }
            }
        }
    }
    out
}

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
    let jobs = jobs(m, kind);
    let convs: u128 = jobs.iter().map(|j| j.terms.len() as u128).sum();
    let work = convs * p.rows as u128 * p.cols as u128 * p.length as u128;
    if work > MAX_FULL_PE_CYCLES {
        return Err(refuse(m, work));
    }
    let params = ArrayParams::of(&m.arch);
    let machine = Machine::new(p, params).map_err(IntoDiagnostic::into_diagnostic)?;
    let l = &m.layer;
    // Gradient elements no product reaches are structurally zero; so are
    // the outputs of a transposed layer no input reaches.
    let unwritten_ok = kind != OutKind::Ofmap || l.transposed;
    let check = |job: &Job| -> Result<(u64, Vec<Mismatch>), Diagnostic> {
        let mut sum: Option<Vec<Option<i64>>> = None;
        let mut expected: Option<Array2<i64>> = None;
        for &(n, c, f) in &job.terms {
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
    let progress = crate::progress::Progress::new(jobs.len(), "output slices verified");
    let results = crate::parallel::map_in_order(&jobs, |job| {
        let r = check(job);
        progress.inc();
        r
    });
    drop(progress);
    let mut v = LayerVerification {
        mode: "full",
        verified: true,
        verified_outputs: 0,
        convs_simulated: convs as u64,
        mismatches: Vec::new(),
    };
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
    Ok(v)
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

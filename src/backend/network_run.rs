//! A whole network: every layer, in parallel over layers, its report
//! written as the layer-passes finish (`network_report.rs`).

use std::io::Write;

use super::dataflow::compute;
use super::network_report::{Failed, NetworkReport};
use super::not_included::operators;
use super::{member, passes_of, side_files_of, Halt, Output, PassReport, Request};
use crate::diag::Diagnostic;
use crate::model::Network;
use crate::options::Emit;

/// Layer-passes computed at once: enough to keep the cores busy, few
/// enough that their reports (each with its per-PE rows) stay small next
/// to the network itself. The rows come out in the same order whatever the
/// chunk size or core count.
const CHUNK: usize = 256;

/// Runs every layer-pass of `n` and writes the report into `out` as the
/// rows finish. The pass reports are kept in the output only when
/// `keep_reports` (figures, the Python API); otherwise each is dropped
/// once written.
pub(crate) fn run(
    req: &Request<'_>,
    n: &Network,
    out: &mut dyn Write,
    keep_reports: bool,
) -> Result<Output, Halt> {
    let mut output = Output::default();
    if req.emit != Emit::Stats {
        // IR and signals are per layer: print them one after another.
        for l in &n.layers {
            let o = super::layer_run::run(req, l).map_err(Halt::Diagnostics)?;
            out.write_all(o.text.as_bytes()).map_err(Halt::Write)?;
        }
        out.flush().map_err(Halt::Write)?;
        return Ok(output);
    }
    let passes = passes_of(req.pass);
    let jobs: Vec<_> = n
        .layers
        .iter()
        .flat_map(|l| passes.iter().map(move |&p| (l, p)))
        .collect();
    let progress = crate::progress::Progress::new(jobs.len(), "layer passes");
    let mut report = NetworkReport::start(out, req.format, &n.name).map_err(Halt::Write)?;
    for chunk in jobs.chunks(CHUNK) {
        let results = super::parallel::parallel_map(chunk, |&(l, p)| {
            let r = compute(req, l, p, req.dataflow)?;
            let report = PassReport::new(&r);
            let files = side_files_of(
                req,
                &r.outcome,
                &report,
                Some(member(&l.name)),
                passes.len(),
            )?;
            progress.inc();
            Ok((report, files))
        });
        // A layer-pass that cannot run is a row marked refused; the others
        // are still reported, and the run exits 1 with its diagnostic.
        for (&(l, p), r) in chunk.iter().zip(results) {
            let row: Result<PassReport, Failed> = match r {
                Ok((r, files)) => {
                    output.refusals.extend(r.refusals.iter().cloned());
                    output.files.extend(files);
                    Ok(r)
                }
                Err(d) => {
                    let row = Err((l.name.clone(), p, refusal_text(&d)));
                    output.refusals.push(d);
                    row
                }
            };
            report.row(&row).map_err(Halt::Write)?;
            if let (true, Ok(r)) = (keep_reports, row) {
                output.reports.push(r);
            }
        }
    }
    drop(progress);
    report
        .finish(&n.name, operators(&n.not_costed))
        .map_err(Halt::Write)?;
    Ok(output)
}

fn refusal_text(d: &Diagnostic) -> String {
    format!("error[{}]: {}", d.code, d.message)
}

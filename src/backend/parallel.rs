//! Layers and passes in parallel over the cores, results in job order.

use crate::diag::{Code, Diagnostic};

/// [`crate::parallel::map_in_order`] for work that reports diagnostics.
pub(crate) fn parallel_map<J: Sync, R: Send>(
    jobs: &[J],
    f: impl Fn(&J) -> Result<R, Diagnostic> + Sync,
) -> Vec<Result<R, Diagnostic>> {
    crate::parallel::map_in_order(jobs, f)
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(Diagnostic::error(
                    Code::Internal,
                    "internal error: a layer's simulation did not finish",
                ))
            })
        })
        .collect()
}

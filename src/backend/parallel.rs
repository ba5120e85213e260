//! Work spread over the machine's cores, with results in a fixed order.

use crate::diag::Diagnostic;

/// Runs `f` on every job on as many threads as the machine has cores (each
/// worker takes the next job), and returns the results in job order, so the
/// output does not depend on scheduling.
pub(crate) fn parallel_map<J: Sync, R: Send>(
    jobs: &[J],
    f: impl Fn(&J) -> Result<R, Diagnostic> + Sync,
) -> Vec<Result<R, Diagnostic>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<R, Diagnostic>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = f(job);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(Diagnostic::error(
                    "E0900",
                    "internal error: a layer's simulation did not finish",
                ))
            })
        })
        .collect()
}

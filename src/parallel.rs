//! Work spread over the machine's cores, with results in a fixed order, so
//! the output never depends on scheduling or on the number of cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

/// Runs `f` on every job over rayon's pool (one thread per core) and
/// returns the results in job order; `None` only for a job that panicked.
///
/// Layers, candidate mappings and processing passes nest calls to this;
/// nested calls split their jobs over the pool, whose work stealing keeps
/// the cores busy. (Before, every level started a thread per core: up to 8
/// threads on 2 cores, and AlexNet CONV1-5 forward 8 % slower,
/// docs/performance.md.) The outermost call runs one task per core, each
/// taking the next job when done with its last, so at most that many
/// outermost jobs (a layer with all its memory) are in flight: a thread
/// waiting in a nested call may steal nested work, but no other layer.
/// (With every level split over the pool, an AlexNet training step in
/// full mode started all 15 layer-passes at once and peaked at 8 GB.)
pub fn map_in_order<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<Option<R>> {
    let run = |j: &J| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(j))).ok();
    if rayon::current_thread_index().is_some() {
        return jobs.par_iter().map(run).collect();
    }
    let tasks = rayon::current_num_threads().min(jobs.len()).max(1);
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    rayon::scope(|s| {
        for _ in 0..tasks {
            s.spawn(|_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = run(job);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = r;
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().ok().flatten())
        .collect()
}

use std::time::Duration;

/// Time per call of the measured operation, over the timed batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub min: Duration,
    /// The element at index `len / 2` of the sorted per-call times.
    pub median: Duration,
    pub max: Duration,
}

/// Measures `op`: one untimed warm-up batch, then `batches` timed batches of
/// `iters` calls, each timed by reading `now` before and after it.
pub fn measure(
    batches: usize,
    iters: u32,
    mut now: impl FnMut() -> Duration,
    mut op: impl FnMut(),
) -> Stats {
    let iters = iters.max(1);
    for _ in 0..iters {
        op();
    }
    let mut per_call: Vec<Duration> = (0..batches.max(1))
        .map(|_| {
            let start = now();
            for _ in 0..iters {
                op();
            }
            (now() - start) / iters
        })
        .collect();
    per_call.sort();
    Stats {
        min: per_call[0],
        median: per_call[per_call.len() / 2],
        max: per_call[per_call.len() - 1],
    }
}

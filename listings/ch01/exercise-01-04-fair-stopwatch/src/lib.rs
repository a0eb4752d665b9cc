// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet.
#![allow(unused_variables, unused_mut)]

use std::time::Duration;

/// Time per call of the measured operation, over the timed batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub min: Duration,
    /// The element at index `len / 2` of the sorted per-call times.
    pub median: Duration,
    pub max: Duration,
}

/// Measures `op`. First one warm-up batch of `iters` calls, untimed; then
/// `batches` timed batches of `iters` calls each (0 counts as 1), reading the
/// clock `now` (time since any fixed origin) just before and just after each
/// batch. Returns the statistics of the time per call.
///
/// Use it with a real clock as
/// `let origin = Instant::now(); measure(5, 1000, || origin.elapsed(), || work())`.
pub fn measure(
    batches: usize,
    iters: u32,
    mut now: impl FnMut() -> Duration,
    mut op: impl FnMut(),
) -> Stats {
    todo!("warm up, then time each batch and compute min, median and max per call")
}

// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet.
#![allow(unused_variables)]

/// Applies `f` to every element of `data` and returns the sum of the results
/// (wrapping on overflow is not needed: the tests stay in range).
///
/// Uses `threads` threads, each handling one contiguous chunk of `data`.
/// `threads == 0` counts as 1. With fewer elements than threads, fewer
/// threads may run.
pub fn parallel_map_sum(data: &[u64], threads: usize, f: impl Fn(u64) -> u64 + Sync) -> u64 {
    todo!("split `data` into chunks and sum `f` over each chunk on its own thread")
}

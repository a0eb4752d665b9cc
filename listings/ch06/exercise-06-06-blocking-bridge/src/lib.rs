//! Bridge a blocking function into async code.

/// The blocking function panicked on one of the inputs.
#[derive(Debug, PartialEq, Eq)]
pub struct Panicked;

/// Applies the blocking function `f` to every input, from async code, and
/// returns the results in input order.
///
/// - `f` runs on tokio's blocking pool, never on a runtime thread: while it
///   runs, the runtime's other tasks keep running;
/// - at most `max_parallel` calls of `f` run at once (treat 0 as 1);
/// - if any call panics, the result is `Err(Panicked)` (no panic escapes).
pub async fn map_blocking<F>(
    inputs: Vec<Vec<u8>>,
    max_parallel: usize,
    f: F,
) -> Result<Vec<u32>, Panicked>
where
    F: Fn(&[u8]) -> u32 + Send + Sync + 'static,
{
    let _ = (inputs, max_parallel, f);
    todo!("spawn_blocking, bounded by a semaphore, results in order")
}

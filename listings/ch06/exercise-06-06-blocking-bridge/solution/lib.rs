//! Bridge a blocking function into async code.

use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The blocking function panicked on one of the inputs.
#[derive(Debug, PartialEq, Eq)]
pub struct Panicked;

pub async fn map_blocking<F>(
    inputs: Vec<Vec<u8>>,
    max_parallel: usize,
    f: F,
) -> Result<Vec<u32>, Panicked>
where
    F: Fn(&[u8]) -> u32 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let permits = Arc::new(Semaphore::new(max_parallel.max(1)));
    let mut results = vec![0; inputs.len()];
    let mut calls = JoinSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        // Waits (without blocking the thread) until a call ends.
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let f = Arc::clone(&f);
        calls.spawn_blocking(move || {
            let _permit = permit; // released when the call returns or panics
            (i, f(&input))
        });
    }
    while let Some(done) = calls.join_next().await {
        let (i, value) = done.map_err(|_| Panicked)?;
        results[i] = value;
    }
    Ok(results)
}

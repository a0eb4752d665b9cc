//! A bound on CPU work in flight: a full server says so instead of queueing.

use std::sync::Arc;
use tokio::sync::Semaphore;

/// The Fibonacci server's CPU work, deliberately slow.
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        n.into()
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Every computation slot is taken.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

pub struct Limiter {
    slots: Arc<Semaphore>,
}

impl Limiter {
    /// At most `max_in_flight` computations at once.
    pub fn new(max_in_flight: usize) -> Limiter {
        Limiter {
            slots: Arc::new(Semaphore::new(max_in_flight)),
        }
    }

    /// The reply line for request `n`: the number, or `ERR busy`.
    pub async fn reply(&self, n: u32) -> String {
        match self.compute(n).await {
            Ok(v) => format!("{v}\n"),
            Err(Busy) => "ERR busy\n".to_string(),
        }
    }

    /// Runs `fib(n)` on tokio's blocking pool if a slot is free; otherwise
    /// returns `Err(Busy)` at once.
    pub async fn compute(&self, n: u32) -> Result<u64, Busy> {
        let permit = Arc::clone(&self.slots)
            .try_acquire_owned()
            .map_err(|_| Busy)?;
        let job = tokio::task::spawn_blocking(move || {
            // The slot belongs to the computation, not to the caller: it is
            // freed when fib returns, even if nobody awaits the answer.
            let _permit = permit;
            fib(n)
        });
        Ok(job.await.expect("fib does not panic"))
    }
}

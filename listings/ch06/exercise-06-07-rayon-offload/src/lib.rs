//! Keep a tokio runtime responsive while CPU-heavy requests are served.

/// The Fibonacci server's CPU work, deliberately slow.
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        n.into()
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// What Listing 6-25 does: compute inside the task. Correct, but the runtime
/// thread is busy until `fib` returns.
pub async fn fib_on_runtime(n: u32) -> u64 {
    fib(n)
}

/// Computes `fib(n)` on rayon's thread pool and waits for the answer without
/// holding the runtime thread.
pub async fn fib_off_runtime(n: u32) -> u64 {
    let _ = n;
    todo!("run fib on rayon, send the result back through a tokio oneshot")
}

//! Keep a tokio runtime responsive while CPU-heavy requests are served.

use tokio::sync::oneshot;

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
    let (tx, rx) = oneshot::channel();
    rayon::spawn(move || {
        // The receiver may be gone (the request was cancelled): nothing to do.
        let _ = tx.send(fib(n));
    });
    // A dropped sender means the closure panicked: pass the failure on.
    rx.await.expect("the rayon job panicked")
}

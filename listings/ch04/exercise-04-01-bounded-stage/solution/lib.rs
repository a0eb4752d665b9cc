//! One stage of a bounded pipeline.

use crossbeam_channel::{Receiver, bounded};
use std::thread::{self, JoinHandle};

/// Spawns a thread that applies `f` to every item received from `input`, in
/// order, and sends each result into a new channel of capacity `bound`.
/// Returns that channel's receiver and the thread's handle; the thread
/// returns how many items it passed on. It stops when `input` is closed and
/// drained, or as soon as the output's receiver has been dropped.
pub fn stage<T, U, F>(
    input: Receiver<T>,
    bound: usize,
    mut f: F,
) -> (Receiver<U>, JoinHandle<usize>)
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> U + Send + 'static,
{
    // The bound is the backpressure: `send` waits while `bound` results
    // are queued, so this stage stops pulling from its input.
    let (tx, rx) = bounded(bound);
    let handle = thread::spawn(move || {
        let mut passed = 0;
        for item in input {
            if tx.send(f(item)).is_err() {
                break; // downstream hung up: stop, dropping `input`
            }
            passed += 1;
        }
        passed
    }); // `tx` drops with the thread: the next stage's loop ends
    (rx, handle)
}

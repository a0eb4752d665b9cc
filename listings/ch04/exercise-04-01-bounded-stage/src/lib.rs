//! One stage of a bounded pipeline.

use crossbeam_channel::Receiver;
use std::thread::JoinHandle;

/// Spawns a thread that applies `f` to every item received from `input`, in
/// order, and sends each result into a new channel of capacity `bound`.
/// Returns that channel's receiver and the thread's handle; the thread
/// returns how many items it passed on. It stops when `input` is closed and
/// drained, or as soon as the output's receiver has been dropped.
pub fn stage<T, U, F>(input: Receiver<T>, bound: usize, f: F) -> (Receiver<U>, JoinHandle<usize>)
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnMut(T) -> U + Send + 'static,
{
    let _ = (input, bound, f);
    todo!("spawn the stage's thread with a bounded output channel")
}

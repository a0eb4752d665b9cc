//! Memory per task, measured by the process's own counters: virtual size
//! (address space reserved) and resident set (pages actually touched).

use std::hint::black_box;
use std::sync::mpsc;
use std::time::Duration;

// ANCHOR: measure
/// Bytes per task: address space reserved and pages actually resident.
#[derive(Clone, Copy, Debug)]
pub struct PerTask {
    pub reserved: f64,
    pub resident: f64,
}

/// (virtual bytes, resident bytes) of this process, from /proc/self/statm.
pub fn statm() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let mut pages = text
        .split_whitespace()
        .map(|w| w.parse::<u64>().unwrap_or(0));
    let (size, resident) = (pages.next().unwrap_or(0), pages.next().unwrap_or(0));
    (size * 4096, resident * 4096)
}

/// Holds `n` tasks made by `make` alive, and divides the growth by `n`.
pub fn per_task<T>(n: usize, make: impl FnOnce(usize) -> T) -> (PerTask, T) {
    let (v0, r0) = statm();
    let held = make(n);
    let (v1, r1) = statm();
    let per = |a: u64, b: u64| b.saturating_sub(a) as f64 / n as f64;
    (
        PerTask {
            reserved: per(v0, v1),
            resident: per(r0, r1),
        },
        held,
    )
}
// ANCHOR_END: measure

// ANCHOR: tasks
/// `n` coroutines, each resumed once so it is parked in a real suspend.
pub fn coroutines(n: usize, stack_bytes: usize) -> PerTask {
    use corosensei::{Coroutine, stack::DefaultStack};
    let (per, held) = per_task(n, |n| {
        let mut all = Vec::with_capacity(n);
        for _ in 0..n {
            let stack = DefaultStack::new(stack_bytes).expect("mmap a stack");
            let mut co = Coroutine::with_stack(stack, |y: &corosensei::Yielder<(), ()>, ()| {
                y.suspend(());
            });
            co.resume(());
            all.push(co);
        }
        all
    });
    drop(held); // each suspended coroutine is unwound, its stack unmapped
    per
}

/// `n` OS threads with the default stack, each blocked in `recv`.
pub fn threads(n: usize) -> PerTask {
    let (started_tx, started_rx) = mpsc::channel();
    let (per, held) = per_task(n, |n| {
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            let (stop_tx, stop_rx) = mpsc::channel::<()>();
            let started = started_tx.clone();
            let handle = std::thread::spawn(move || {
                started.send(()).expect("main waits");
                let _ = stop_rx.recv_timeout(Duration::from_secs(60));
            });
            held.push((stop_tx, handle));
        }
        for _ in 0..n {
            started_rx
                .recv_timeout(Duration::from_secs(30))
                .expect("thread started");
        }
        held
    });
    for (stop, handle) in held {
        drop(stop); // recv sees the channel closed and returns
        handle.join().expect("thread");
    }
    per
}

/// `n` tokio tasks on a current-thread runtime, each polled once and left
/// pending: what remains is the task's own allocation.
pub fn tokio_tasks(n: usize) -> PerTask {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (per, ()) = per_task(n, |n| {
        for _ in 0..n {
            rt.spawn(std::future::pending::<()>());
        }
        // Let every task run up to its first (and only) Pending.
        rt.block_on(tokio::task::yield_now());
    });
    drop(rt); // drops every pending task
    per
}
// ANCHOR_END: tasks

// ANCHOR: future
/// A task that keeps a 1 KiB buffer alive across an `.await`.
pub async fn keeps_a_buffer(signal: tokio::sync::oneshot::Receiver<()>) -> u8 {
    let buffer = [1u8; 1024];
    let _ = signal.await;
    black_box(&buffer)[0]
}

/// Its future is a value of known size: the buffer, the receiver, a state tag.
pub fn future_bytes() -> usize {
    let (_tx, rx) = tokio::sync::oneshot::channel();
    std::mem::size_of_val(&keeps_a_buffer(rx))
}
// ANCHOR_END: future

//! One round trip per rung: A hands control (and a byte) to B, and B hands
//! it back. What differs is who switches and what a switch saves.

use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, fork, pipe, read, write};
use std::hint::black_box;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

// ANCHOR: kernel
/// Answers every byte read from `from` with one byte on `to`, until EOF.
/// Only `read` and `write`: safe to run in a forked child.
fn pong(from: &OwnedFd, to: &OwnedFd) {
    let mut byte = [0u8; 1];
    while let Ok(1) = read(from, &mut byte) {
        if write(to, &byte) != Ok(1) {
            break;
        }
    }
}

/// `n` round trips through two pipes; the kernel puts one side to sleep and
/// wakes the other every time.
fn ping(n: u64, to: &OwnedFd, from: &OwnedFd) -> Duration {
    let mut byte = [7u8; 1];
    let start = Instant::now();
    for _ in 0..n {
        assert_eq!(write(to, &byte), Ok(1));
        assert_eq!(read(from, &mut byte), Ok(1));
    }
    start.elapsed()
}

/// Two processes: each switch also changes the address space.
pub fn process_round_trips(n: u64) -> nix::Result<Duration> {
    let (down_r, down_w) = pipe()?;
    let (up_r, up_w) = pipe()?;
    // SAFETY: the child calls only read, write and _exit (all
    // async-signal-safe), so other threads' locks cannot trip it up.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop((down_w, up_r));
            pong(&down_r, &up_w);
            // SAFETY: _exit skips the parent's atexit handlers and buffers.
            unsafe { nix::libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            drop((down_r, up_w));
            let took = ping(n, &down_w, &up_r);
            drop(down_w); // EOF: the child leaves its loop
            waitpid(child, None)?;
            Ok(took)
        }
    }
}

/// Two threads of one process: the same pipes, no address-space change.
pub fn thread_round_trips(n: u64) -> nix::Result<Duration> {
    let (down_r, down_w) = pipe()?;
    let (up_r, up_w) = pipe()?;
    let ponger = std::thread::spawn(move || pong(&down_r, &up_w));
    let took = ping(n, &down_w, &up_r);
    drop(down_w);
    ponger.join().expect("ponger thread");
    Ok(took)
}
// ANCHOR_END: kernel

// ANCHOR: user
use tokio::sync::mpsc::{Receiver, Sender, channel};

/// The task that answers: generic over nothing, so any executor can run it.
pub async fn pong_task(mut from: Receiver<u8>, to: Sender<u8>) {
    while let Some(byte) = from.recv().await {
        if to.send(byte).await.is_err() {
            break;
        }
    }
}

pub async fn ping_task(n: u64, to: Sender<u8>, mut from: Receiver<u8>) -> Duration {
    let start = Instant::now();
    for i in 0..n {
        to.send(i as u8).await.expect("pong alive");
        from.recv().await.expect("pong alive");
    }
    start.elapsed()
}

/// One direction of the ping-pong.
pub type Pair = (Sender<u8>, Receiver<u8>);

/// Channels of capacity 1 both ways: every send wakes the other task.
pub fn channels() -> (Pair, Pair) {
    (channel(1), channel(1))
}

/// Two tasks on tokio's single-threaded scheduler.
pub fn tokio_round_trips(n: u64) -> std::io::Result<Duration> {
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let ((down_tx, down_rx), (up_tx, up_rx)) = channels();
    rt.spawn(pong_task(down_rx, up_tx));
    Ok(rt.block_on(ping_task(n, down_tx, up_rx)))
}

/// A stackful coroutine: resume switches to its stack, suspend switches back.
pub fn coroutine_round_trips(n: u64) -> Duration {
    use corosensei::{Coroutine, Yielder};
    let mut co = Coroutine::new(|y: &Yielder<u64, u64>, mut x: u64| {
        loop {
            x = y.suspend(x + 1);
        }
    });
    let start = Instant::now();
    for i in 0..n {
        black_box(co.resume(black_box(i)));
    }
    start.elapsed()
}

/// An iterator step: a call and a return, no stack of its own.
pub fn iterator_steps(n: u64) -> Duration {
    let mut counter = black_box(0u64..);
    let start = Instant::now();
    for _ in 0..n {
        black_box(counter.next());
    }
    start.elapsed()
}
// ANCHOR_END: user

//! The executor runs tasks to completion, wakes across threads, reuses
//! slots, and drives futures from other runtimes' primitives (tokio's
//! channels work on any executor).

use listing_07_12_executor::{Executor, yield_now};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// Runs `f` on a new thread and fails if it takes longer than `limit`, so
/// a lost wake-up fails the test instead of hanging it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).expect("timed out: a lost wake-up?")
}

#[test]
fn join_handles_return_outputs_in_any_await_order() {
    within(Duration::from_secs(10), || {
        let ex = Executor::new();
        let hs: Vec<_> = (0..100u64)
            .map(|i| ex.spawn(async move { i * i }))
            .collect();
        let sum: u64 = ex.block_on(async move {
            let mut sum = 0;
            for h in hs.into_iter().rev() {
                sum += h.await;
            }
            sum
        });
        assert_eq!(sum, (0..100u64).map(|i| i * i).sum());
        assert_eq!(ex.live_tasks(), 0);
    });
}

#[test]
fn detached_tasks_still_run_and_slots_are_reused() {
    within(Duration::from_secs(10), || {
        let ex = Executor::new();
        let count = Rc::new(Cell::new(0));
        for _ in 0..3 {
            for _ in 0..1000 {
                let c = count.clone();
                drop(ex.spawn(async move {
                    yield_now().await;
                    c.set(c.get() + 1);
                }));
            }
            ex.block_on(async {
                while ex.live_tasks() > 0 {
                    yield_now().await;
                }
            });
        }
        assert_eq!(count.get(), 3000);
    });
}

#[test]
fn a_wake_from_another_thread_unparks_the_executor() {
    within(Duration::from_secs(10), || {
        let ex = Executor::new();
        let (tx, rx) = mpsc::channel::<Waker>();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let d = done.clone();
        let waker_thread = thread::spawn(move || {
            let waker = rx.recv_timeout(Duration::from_secs(5)).unwrap();
            thread::sleep(Duration::from_millis(20));
            d.store(true, std::sync::atomic::Ordering::Release);
            waker.wake();
        });
        let h = ex.spawn(std::future::poll_fn(move |cx| {
            if done.load(std::sync::atomic::Ordering::Acquire) {
                Poll::Ready("woken")
            } else {
                let _ = tx.send(cx.waker().clone());
                Poll::Pending
            }
        }));
        let t0 = Instant::now();
        assert_eq!(ex.block_on(h), "woken");
        assert!(t0.elapsed() >= Duration::from_millis(20));
        waker_thread.join().unwrap();
    });
}

#[test]
fn tasks_spawned_by_tasks_run() {
    within(Duration::from_secs(10), || {
        let ex = Executor::new();
        let e = ex.clone();
        let depth = ex.block_on(async move {
            fn nest(e: Executor, n: u32) -> std::pin::Pin<Box<dyn Future<Output = u32>>> {
                Box::pin(async move {
                    if n == 0 {
                        0
                    } else {
                        let inner = e.clone();
                        e.spawn(nest(inner, n - 1)).await + 1
                    }
                })
            }
            nest(e, 50).await
        });
        assert_eq!(depth, 50);
    });
}

/// Two tasks bounce a counter over tokio's channels. Prints the time per
/// round trip here and on tokio's current-thread runtime (run with
/// `--release --nocapture` to compare; the book's experiment measures it
/// properly).
#[test]
fn ping_pong_over_tokio_channels() {
    let rounds: u32 = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    };
    let ours = within(Duration::from_secs(60), move || {
        let ex = Executor::new();
        let t0 = Instant::now();
        let n = ex.block_on(ping_pong(&ex, rounds));
        assert_eq!(n, rounds);
        t0.elapsed()
    });
    let theirs = within(Duration::from_secs(60), move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let t0 = Instant::now();
        let n = rt.block_on(async {
            let local = tokio::task::LocalSet::new();
            local
                .run_until(async {
                    let (to_pong, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
                    let (to_ping, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
                    let pong = tokio::task::spawn_local(async move {
                        while let Some(v) = pong_rx.recv().await {
                            if to_ping.send(v + 1).await.is_err() {
                                break;
                            }
                        }
                    });
                    let ping = tokio::task::spawn_local(async move {
                        let mut v = 0;
                        while v < rounds {
                            to_pong.send(v).await.unwrap();
                            v = ping_rx.recv().await.unwrap();
                        }
                        v
                    });
                    let v = ping.await.unwrap();
                    pong.await.unwrap();
                    v
                })
                .await
        });
        assert_eq!(n, rounds);
        t0.elapsed()
    });
    let per = |d: Duration| d.as_nanos() as f64 / rounds as f64;
    println!(
        "round trip: ours {:.0} ns, tokio current-thread {:.0} ns, ratio {:.2}",
        per(ours),
        per(theirs),
        per(ours) / per(theirs)
    );
}

async fn ping_pong(ex: &Executor, rounds: u32) -> u32 {
    let (to_pong, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
    let (to_ping, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
    let pong = ex.spawn(async move {
        while let Some(v) = pong_rx.recv().await {
            if to_ping.send(v + 1).await.is_err() {
                break;
            }
        }
    });
    let ping = ex.spawn(async move {
        let mut v = 0;
        while v < rounds {
            to_pong.send(v).await.unwrap();
            v = ping_rx.recv().await.unwrap();
        }
        v
    });
    let v = ping.await;
    pong.await;
    v
}

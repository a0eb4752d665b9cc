//! Tests for this exercise. `cargo test -p exercise-07-05-sleep` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_05_sleep as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Os, Report, kill_task, new_task, sleep, wait_task, yield_now};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Runs an OS built by `setup` on a thread of its own, bounded in time.
fn run_os<T: Send + 'static>(
    setup: impl FnOnce(&mut Os) -> Box<dyn FnOnce() -> T> + Send + 'static,
) -> (Report, T, Duration) {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut os = Os::new();
        let collect = setup(&mut os);
        let start = Instant::now();
        let report = os.run();
        let _ = tx.send((report, collect(), start.elapsed()));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the OS finished within 10 s (a todo!() panics, and so fails here)")
}

#[test]
fn a_sleeper_wakes_after_its_duration() {
    let (report, (), took) = run_os(|os| {
        os.spawn(sleep(Duration::from_millis(80)));
        Box::new(|| ())
    });
    // A guaranteed lower bound; a sleeper that never wakes fails `run_os`'s
    // bounded wait instead of an upper bound on the time here.
    assert!(took >= Duration::from_millis(80), "woke early: {took:?}");
    assert!(
        report.switches <= 3,
        "the OS polled a sleeper {} times: it should block in poll(2), not spin",
        report.switches
    );
}

#[test]
fn sleepers_wake_in_deadline_order() {
    let (_, order, _) = run_os(|os| {
        let order = Rc::new(RefCell::new(Vec::new()));
        for ms in [60u64, 20, 40, 0] {
            let order = order.clone();
            os.spawn(async move {
                sleep(Duration::from_millis(ms)).await;
                order.borrow_mut().push(ms);
            });
        }
        Box::new(move || order.take())
    });
    assert_eq!(order, vec![0, 20, 40, 60]);
}

#[test]
fn others_run_while_a_task_sleeps() {
    let (_, (turns, ticks_at_wake), _) = run_os(|os| {
        let turns = Rc::new(Cell::new(0u64));
        let at_wake = Rc::new(Cell::new(0u64));
        let (t, w) = (turns.clone(), at_wake.clone());
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        os.spawn(async move {
            // Long enough that even a busy machine gives the ticker turns.
            sleep(Duration::from_millis(100)).await;
            w.set(t.get());
            d.set(true);
        });
        let t = turns.clone();
        os.spawn(async move {
            while !done.get() {
                t.set(t.get() + 1);
                yield_now().await;
            }
        });
        Box::new(move || (turns.get(), at_wake.get()))
    });
    assert!(
        ticks_at_wake > 10,
        "the ticker ran only {ticks_at_wake} times during the sleep"
    );
    assert!(turns >= ticks_at_wake);
}

#[test]
fn killing_a_sleeper_cancels_its_timer() {
    // The sleeper would sleep for an hour: if its timer outlived the kill,
    // the OS would wait for it, and `run_os`'s 10 s bound would fail the test.
    let (_, waited, _) = run_os(|os| {
        let waited = Rc::new(Cell::new(false));
        let w = waited.clone();
        os.spawn(async move {
            let sleeper = new_task(sleep(Duration::from_secs(3600))).await;
            sleep(Duration::from_millis(10)).await;
            assert!(kill_task(sleeper).await);
            wait_task(sleeper).await;
            w.set(true);
        });
        Box::new(move || waited.get())
    });
    assert!(waited);
}

#[test]
fn many_sleepers_share_one_wait() {
    // One after another, the sleeps would take 50 s and fail `run_os`'s 10 s
    // bound; the switch count shows that nobody spins while they sleep.
    let (report, woke, took) = run_os(|os| {
        let woke = Rc::new(Cell::new(0));
        for _ in 0..1000 {
            let woke = woke.clone();
            os.spawn(async move {
                sleep(Duration::from_millis(50)).await;
                woke.set(woke.get() + 1);
            });
        }
        Box::new(move || woke.get())
    });
    assert_eq!(woke, 1000);
    assert!(took >= Duration::from_millis(50), "woke early: {took:?}");
    assert!(
        report.switches <= 2100,
        "{} switches for 1,000 sleepers",
        report.switches
    );
}

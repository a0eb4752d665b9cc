//! Tests for this exercise. `cargo test -p exercise-04-01-bounded-stage` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_01_bounded_stage as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use crossbeam_channel::{bounded, unbounded};
use ex::stage;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(10);

/// Runs `f` on a thread and fails if it does not finish within `limit`:
/// a hang must fail the test, not stall it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("did not finish in time: a hang or a lost shutdown?")
}

/// Waits until `count` stops changing for a while, then returns it.
fn settled(count: &AtomicUsize) -> usize {
    let start = Instant::now();
    let mut last = count.load(SeqCst);
    let mut still_since = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        thread::sleep(Duration::from_millis(10));
        let now = count.load(SeqCst);
        if now != last {
            (last, still_since) = (now, Instant::now());
        } else if still_since.elapsed() > Duration::from_millis(200) {
            break;
        }
    }
    last
}

#[test]
fn every_item_arrives_once_in_order_through_two_stages() {
    let got = within(LONG, || {
        let (tx, rx) = bounded(4);
        let producer = thread::spawn(move || {
            for i in 0..10_000u64 {
                tx.send(i).unwrap();
            }
        });
        let (doubled, h1) = stage(rx, 4, |x: u64| x * 2);
        let (plus_one, h2) = stage(doubled, 4, |x: u64| x + 1);
        let got: Vec<u64> = plus_one.iter().collect();
        producer.join().unwrap();
        assert_eq!(h1.join().unwrap(), 10_000);
        assert_eq!(h2.join().unwrap(), 10_000);
        got
    });
    let expected: Vec<u64> = (0..10_000).map(|x| x * 2 + 1).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_stalled_consumer_holds_the_stage_back() {
    for bound in [0, 1, 8] {
        let calls = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = unbounded();
        for i in 0..1_000 {
            tx.send(i).unwrap();
        }
        let seen = Arc::clone(&calls);
        let (out, _handle) = stage(rx, bound, move |x: u32| {
            seen.fetch_add(1, SeqCst);
            x
        });
        // Nobody receives: `bound` results wait in the channel and one more
        // waits in the stage's hands. An unbounded stage would run through all.
        let n = settled(&calls);
        assert_eq!(
            n,
            bound + 1,
            "bound {bound}: the stage ran ahead of its consumer"
        );
        assert_eq!(out.len(), bound, "bound {bound}: queue length");
        drop(out);
        drop(tx);
    }
}

#[test]
fn the_backlog_never_exceeds_the_bound() {
    let peak = within(LONG, || {
        let (tx, rx) = bounded(16);
        let producer = thread::spawn(move || {
            for i in 0..2_000u32 {
                tx.send(i).unwrap();
            }
        });
        let (out, handle) = stage(rx, 5, |x: u32| x);
        let mut peak = 0;
        let mut next = 0;
        loop {
            peak = peak.max(out.len());
            match out.recv() {
                Ok(x) => {
                    assert_eq!(x, next);
                    next += 1;
                }
                Err(_) => break,
            }
            // A slow consumer: the stage must wait for it, not queue ahead.
            let start = Instant::now();
            while start.elapsed() < Duration::from_micros(20) {}
        }
        producer.join().unwrap();
        assert_eq!(handle.join().unwrap(), 2_000);
        assert_eq!(next, 2_000);
        peak
    });
    assert!(peak <= 5, "peak backlog {peak} exceeds the bound of 5");
    assert!(peak >= 1, "the consumer never saw a queued item");
}

#[test]
fn dropping_the_output_stops_the_stage_and_its_producer() {
    within(LONG, || {
        let (tx, rx) = bounded(2);
        let producer = thread::spawn(move || {
            // Ends as soon as a send fails: the stage has dropped `rx`.
            let mut sent = 0u64;
            while tx.send(sent).is_ok() {
                sent += 1;
            }
            sent
        });
        let (out, handle) = stage(rx, 2, |x: u64| x);
        for expected in 0..10 {
            assert_eq!(out.recv_timeout(LONG), Ok(expected));
        }
        drop(out);
        let passed = handle.join().unwrap();
        assert!((10..=13).contains(&passed), "passed {passed}");
        let sent = producer.join().unwrap();
        assert!(sent >= passed as u64, "sent {sent}");
    });
}

#[test]
fn closing_the_input_ends_the_stage() {
    within(LONG, || {
        let (tx, rx) = bounded::<u8>(1);
        let (out, handle) = stage(rx, 1, |x: u8| x);
        tx.send(7).unwrap();
        drop(tx);
        assert_eq!(out.recv_timeout(LONG), Ok(7));
        assert!(out.recv_timeout(LONG).is_err(), "the output should close");
        assert_eq!(handle.join().unwrap(), 1);
    });
}

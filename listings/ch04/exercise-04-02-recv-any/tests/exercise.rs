//! Tests for this exercise. `cargo test -p exercise-04-02-recv-any` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_02_recv_any as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use crossbeam_channel::{bounded, unbounded};
use ex::{From, RecvAnyError, recv_any};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(10);

/// Runs `f` on a thread and fails if it does not finish within `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("recv_any did not return in time")
}

#[test]
fn a_is_preferred_whenever_both_have_messages() {
    within(LONG, || {
        let (a_tx, a) = unbounded();
        let (b_tx, b) = unbounded();
        for i in 0..100 {
            b_tx.send(1000 + i).unwrap();
            a_tx.send(i).unwrap();
        }
        let deadline = Instant::now() + LONG;
        for i in 0..100 {
            assert_eq!(recv_any(&a, &b, deadline), Ok((From::A, i)));
        }
        for i in 0..100 {
            assert_eq!(recv_any(&a, &b, deadline), Ok((From::B, 1000 + i)));
        }
    });
}

#[test]
fn times_out_at_the_deadline_not_before_or_long_after() {
    let elapsed = within(LONG, || {
        let (_a_tx, a) = bounded::<u8>(1);
        let (_b_tx, b) = bounded::<u8>(1);
        let start = Instant::now();
        let r = recv_any(&a, &b, start + Duration::from_millis(100));
        assert_eq!(r, Err(RecvAnyError::Timeout));
        start.elapsed()
    });
    assert!(
        elapsed >= Duration::from_millis(100),
        "returned early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(3),
        "returned late: {elapsed:?}"
    );
}

#[test]
fn a_past_deadline_still_returns_a_waiting_message() {
    within(LONG, || {
        let (_a_tx, a) = bounded::<u8>(1);
        let (b_tx, b) = bounded::<u8>(1);
        b_tx.send(9).unwrap();
        let past = Instant::now() - Duration::from_millis(1);
        let r = recv_any(&a, &b, past);
        // Both the message and the deadline are ready: either answer is fair.
        assert!(
            matches!(r, Ok((From::B, 9)) | Err(RecvAnyError::Timeout)),
            "{r:?}"
        );
    });
}

#[test]
fn a_message_sent_later_is_received_before_the_deadline() {
    within(LONG, || {
        let (_a_tx, a) = bounded::<u8>(1);
        let (b_tx, b) = bounded::<u8>(1);
        let sender = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            b_tx.send(5).unwrap();
        });
        let r = recv_any(&a, &b, Instant::now() + LONG);
        assert_eq!(r, Ok((From::B, 5)));
        sender.join().unwrap();
    });
}

#[test]
fn one_closed_channel_does_not_end_the_wait() {
    within(LONG, || {
        let (a_tx, a) = bounded::<u8>(1);
        let (b_tx, b) = bounded::<u8>(1);
        drop(a_tx);
        let sender = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            b_tx.send(3).unwrap();
        });
        assert_eq!(recv_any(&a, &b, Instant::now() + LONG), Ok((From::B, 3)));
        sender.join().unwrap();
        // b's sender has gone too now: both closed and empty.
        assert_eq!(
            recv_any(&a, &b, Instant::now() + LONG),
            Err(RecvAnyError::Disconnected)
        );
    });
}

#[test]
fn b_closing_does_not_end_the_wait_for_a() {
    within(LONG, || {
        let (a_tx, a) = bounded::<u8>(1);
        let (b_tx, b) = bounded::<u8>(1);
        drop(b_tx);
        let sender = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            a_tx.send(4).unwrap();
        });
        assert_eq!(recv_any(&a, &b, Instant::now() + LONG), Ok((From::A, 4)));
        sender.join().unwrap();
    });
}

#[test]
fn both_closed_reports_disconnection_at_once() {
    let elapsed = within(LONG, || {
        let (a_tx, a) = bounded::<u8>(1);
        let (b_tx, b) = bounded::<u8>(1);
        a_tx.send(1).unwrap();
        drop((a_tx, b_tx));
        let start = Instant::now();
        let deadline = start + Duration::from_secs(5);
        // What was queued before the close is still delivered.
        assert_eq!(recv_any(&a, &b, deadline), Ok((From::A, 1)));
        assert_eq!(recv_any(&a, &b, deadline), Err(RecvAnyError::Disconnected));
        start.elapsed()
    });
    assert!(
        elapsed < Duration::from_secs(2),
        "waited for the deadline: {elapsed:?}"
    );
}

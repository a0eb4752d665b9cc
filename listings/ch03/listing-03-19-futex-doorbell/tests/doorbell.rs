//! The doorbell between two threads: timeouts, and many hand-offs in which
//! a lost wake-up would show as a 10-second timeout.

use listing_03_19_futex_doorbell::Doorbell;
use std::sync::atomic::{AtomicU32, Ordering::Acquire, Ordering::Release};
use std::thread;
use std::time::{Duration, Instant};

#[repr(C, align(64))]
struct Line([u8; 64]);

fn bell(line: &mut Line) -> &Doorbell {
    // SAFETY: 64 zeroed, aligned bytes that outlive the returned reference
    // (it borrows `line`), used only through the doorbell.
    unsafe { Doorbell::at(line.0.as_mut_ptr()) }
}

#[test]
fn waiting_for_nothing_times_out() {
    let mut line = Line([0; 64]);
    let bell = bell(&mut line);
    let start = Instant::now();
    let got = bell
        .wait_until(|| false, Duration::from_millis(50))
        .unwrap();
    assert!(!got);
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn ready_at_once_returns_true() {
    let mut line = Line([0; 64]);
    let bell = bell(&mut line);
    assert!(bell.wait_until(|| true, Duration::from_secs(1)).unwrap());
    bell.ring(); // nobody sleeps: no wake-up needed, nothing breaks
}

#[test]
fn ping_pong_loses_no_wake_up() {
    const ROUNDS: u32 = 20_000;
    let (mut a, mut b) = (Line([0; 64]), Line([0; 64]));
    let (to_b, to_a) = (bell(&mut a), bell(&mut b));
    // Each side's "ring": the last number the other side published.
    let (ball_b, ball_a) = (AtomicU32::new(0), AtomicU32::new(0));
    thread::scope(|s| {
        s.spawn(|| {
            for i in 1..=ROUNDS {
                let got = to_b
                    .wait_until(|| ball_b.load(Acquire) == i, Duration::from_secs(10))
                    .unwrap();
                assert!(got, "B: wake-up {i} lost");
                ball_a.store(i, Release);
                to_a.ring();
            }
        });
        for i in 1..=ROUNDS {
            ball_b.store(i, Release);
            to_b.ring();
            let got = to_a
                .wait_until(|| ball_a.load(Acquire) == i, Duration::from_secs(10))
                .unwrap();
            assert!(got, "A: wake-up {i} lost");
        }
    });
}

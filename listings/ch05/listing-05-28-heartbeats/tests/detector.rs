//! The detector on a clock the test controls, and `watch` on real UDP.

use listing_05_28_heartbeats::{Detector, send_heartbeats, watch};
use std::net::UdpSocket;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const MS: Duration = Duration::from_millis(1);

#[test]
fn suspects_after_the_timeout_and_counts_a_wrong_suspicion() {
    let t0 = Instant::now();
    let mut d = Detector::new(100 * MS, t0);
    d.heartbeat(t0 + 50 * MS);
    assert!(!d.check(t0 + 150 * MS), "exactly the timeout: not yet");
    assert!(d.check(t0 + 151 * MS), "newly suspected");
    assert!(!d.check(t0 + 200 * MS), "reported once, not again");
    d.heartbeat(t0 + 210 * MS); // it was alive
    assert_eq!(d.false_suspicions, 1);
    assert!(!d.check(t0 + 300 * MS));
}

#[test]
fn watch_notices_a_dead_sender_within_bounds() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = socket.local_addr().unwrap();
    let (stop, died) = (AtomicBool::new(false), Mutex::new(None));
    let reports = thread::scope(|s| {
        let (stop, died) = (&stop, &died);
        s.spawn(move || {
            thread::scope(|p| {
                let sender = p.spawn(|| send_heartbeats(to, 10 * MS, stop, |_| Duration::ZERO));
                thread::sleep(200 * MS);
                stop.store(true, Ordering::Relaxed);
                *died.lock().unwrap() = Some(Instant::now());
                sender.join().unwrap().unwrap()
            })
        });
        watch(&socket, &[100 * MS], died, Duration::from_secs(5)).unwrap()
    });
    let after = reports[0].detected_after.expect("death noticed");
    // At least the timeout minus one interval (the last beat may precede
    // the recorded death), and well within the patience.
    assert!(
        after >= 80 * MS && after < Duration::from_secs(5),
        "{after:?}"
    );
}

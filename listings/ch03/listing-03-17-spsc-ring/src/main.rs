use listing_03_17_spsc_ring::{Consumer, HeapRegion, Producer};
use std::thread;
use std::time::{Duration, Instant};

const CAPACITY: usize = 4096;
const MESSAGES: usize = 100_000;

/// Message `i`: its number, then a tail whose length varies from 0 to 60
/// bytes, so that the records wrap around the ring at different places.
fn message(i: usize) -> Vec<u8> {
    let mut msg = format!("message {i}:").into_bytes();
    msg.extend((0..i % 61).map(|k| (i + k) as u8));
    msg
}

/// Retries `op` until it succeeds; a stuck peer ends the program.
fn retry(mut op: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !op() {
        assert!(Instant::now() < deadline, "the other end is stuck");
        thread::yield_now(); // two cores, two spinning threads: be polite
    }
}

// ANCHOR: main
fn main() {
    let region = HeapRegion::new(CAPACITY);
    // SAFETY: the region is zeroed, aligned and sized for CAPACITY; it
    // outlives both ends (the scope below ends first); one end of each kind.
    let (mut tx, mut rx) = unsafe {
        let p = region.as_ptr();
        (Producer::attach(p, CAPACITY), Consumer::attach(p, CAPACITY))
    };
    thread::scope(|s| {
        s.spawn(move || {
            for i in 0..MESSAGES {
                let msg = message(i);
                retry(|| tx.try_send(&msg));
            }
        });
        let mut out = Vec::new();
        let mut bytes = 0;
        for i in 0..MESSAGES {
            retry(|| rx.try_recv(&mut out));
            assert_eq!(out, message(i), "message {i} damaged or out of order");
            bytes += out.len();
        }
        println!("{MESSAGES} messages ({bytes} bytes) arrived intact and in order");
        println!("through a ring of {CAPACITY} bytes");
    });
}
// ANCHOR_END: main

//! Behaviour of the ring without loom: sizes, full and empty, wrap-around
//! with padding, and two threads passing many messages.

#![cfg(not(loom))]

use listing_03_17_spsc_ring::{Consumer, HeapRegion, Producer, region_size};
use std::thread;
use std::time::{Duration, Instant};

fn pair(region: &HeapRegion, capacity: usize) -> (Producer, Consumer) {
    // SAFETY: `region` was made for `capacity` and outlives the ends in
    // every test; one end of each kind.
    unsafe {
        (
            Producer::attach(region.as_ptr(), capacity),
            Consumer::attach(region.as_ptr(), capacity),
        )
    }
}

#[test]
fn sizes() {
    assert_eq!(region_size(1024) % 64, 0);
    assert!(region_size(1024) >= 1024 + 128);
    let region = HeapRegion::new(64);
    let (tx, _rx) = pair(&region, 64);
    assert_eq!(tx.max_message(), 28);
}

#[test]
#[should_panic(expected = "power of two")]
fn capacity_must_be_a_power_of_two() {
    region_size(1000);
}

#[test]
#[should_panic(expected = "too long")]
fn oversized_message_panics() {
    let region = HeapRegion::new(64);
    let (mut tx, _rx) = pair(&region, 64);
    tx.try_send(&[0; 29]);
}

#[test]
fn empty_full_and_wrap_around() {
    let region = HeapRegion::new(64);
    let (mut tx, mut rx) = pair(&region, 64);
    let mut out = vec![1, 2, 3];
    assert!(!rx.try_recv(&mut out), "a new ring is empty");
    // Records of 16 bytes: four fill the 64 data bytes.
    for i in 0..4u8 {
        assert!(tx.try_send(&[i; 12]));
    }
    assert!(!tx.try_send(&[9]), "the ring is full");
    assert!(rx.try_recv(&mut out));
    assert_eq!(out, [0; 12]);
    // A 24-byte record does not fit in the 16 bytes freed at the start.
    assert!(!tx.try_send(&[7; 20]));
    for i in 1..4u8 {
        assert!(rx.try_recv(&mut out));
        assert_eq!(out, [i; 12]);
    }
    assert!(!rx.try_recv(&mut out));
    // Now at offset 0 again; 24 + 24 bytes, then a record that needs padding.
    assert!(tx.try_send(&[1; 20]));
    assert!(tx.try_send(&[2; 20]));
    assert!(
        !tx.try_send(&[3; 20]),
        "16 bytes left at the end, none at 0"
    );
    assert!(rx.try_recv(&mut out));
    assert!(tx.try_send(&[3; 20]), "padding to the end, then offset 0");
    assert!(rx.try_recv(&mut out));
    assert_eq!(out, [2; 20]);
    assert!(rx.try_recv(&mut out));
    assert_eq!(out, [3; 20]);
    assert!(tx.try_send(&[]));
    assert!(rx.try_recv(&mut out));
    assert!(out.is_empty(), "an empty message replaces the old contents");
}

#[test]
fn two_threads_all_messages_in_order() {
    const N: u32 = 200_000;
    let region = HeapRegion::new(1024);
    let (mut tx, mut rx) = pair(&region, 1024);
    let deadline = Instant::now() + Duration::from_secs(30);
    thread::scope(|s| {
        s.spawn(move || {
            for i in 0..N {
                let len = (i % 509) as usize; // up to max_message
                let mut msg = i.to_le_bytes().repeat(len / 4 + 1);
                msg.truncate(len.max(4));
                while !tx.try_send(&msg) {
                    assert!(Instant::now() < deadline, "consumer stuck");
                    thread::yield_now();
                }
            }
        });
        let mut out = Vec::new();
        for i in 0..N {
            while !rx.try_recv(&mut out) {
                assert!(Instant::now() < deadline, "producer stuck");
                thread::yield_now();
            }
            let len = ((i % 509) as usize).max(4);
            assert_eq!(out.len(), len, "message {i}");
            assert_eq!(out[..4], i.to_le_bytes(), "message {i} out of order");
            assert!(out.chunks(4).all(|c| *c == i.to_le_bytes()[..c.len()]));
        }
    });
}

/// A length prefix corrupted by the other process (here, by hand) must stop
/// the consumer with a panic, not send it reading past the data area.
#[test]
#[should_panic(expected = "corrupt ring")]
fn a_corrupt_length_near_the_end_is_refused() {
    let capacity = 64;
    let region = HeapRegion::new(capacity);
    let (mut tx, mut rx) = pair(&region, capacity);
    let mut out = Vec::new();
    // Records of 16 bytes: one at offset 0, read; then four more at 16, 32,
    // 48 and (wrapping) 0, all published before the consumer looks again.
    assert!(tx.try_send(&[0; 12]));
    assert!(rx.try_recv(&mut out));
    for i in 1..5u8 {
        assert!(tx.try_send(&[i; 12]));
    }
    for _ in 0..2 {
        assert!(rx.try_recv(&mut out));
    }
    let header = region_size(capacity) - capacity;
    // The record at offset 48 now claims 28 bytes: no more than
    // `max_message`, within what was published, yet past the data area's end.
    // SAFETY: the prefix lies inside the region, which outlives this test,
    // and no other thread uses the ring.
    unsafe {
        region
            .as_ptr()
            .add(header + 48)
            .cast::<u32>()
            .write_unaligned(28)
    };
    rx.try_recv(&mut out);
}

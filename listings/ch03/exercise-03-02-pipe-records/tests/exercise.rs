//! Tests for this exercise. `cargo test -p exercise-03-02-pipe-records` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_02_pipe_records as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{HEADER, MAX_PAYLOAD, PIPE_BUF, RecordError, RecordReader, RecordWriter};
use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread and fails if it does not finish within `limit`:
/// a deadlock must fail the test, not hang it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("did not finish in time: a writer or the reader is stuck")
}

/// Record `i` of writer `t`: its ids, then filler bytes that depend on both,
/// in lengths from a few bytes up to the limit.
fn record(t: u32, i: u32) -> Vec<u8> {
    let len = 8 + (i as usize * 397 + t as usize * 1013) % (MAX_PAYLOAD - 7);
    let mut r = Vec::with_capacity(len);
    r.extend_from_slice(&t.to_le_bytes());
    r.extend_from_slice(&i.to_le_bytes());
    r.extend((8..len).map(|k| (k as u32 * 31 + t * 7 + i) as u8));
    r
}

#[test]
fn four_writers_a_thousand_records_each_arrive_intact_once() {
    let seen = within(Duration::from_secs(60), || {
        let (reader, writer) = std::io::pipe().expect("pipe");
        let mut writers = Vec::new();
        for t in 0..4u32 {
            let mut w = RecordWriter::new(writer.try_clone().expect("clone"));
            writers.push(thread::spawn(move || {
                for i in 0..1000u32 {
                    w.write_record(&record(t, i)).expect("write");
                }
            }));
        }
        drop(writer); // the clones are the only writers left
        let mut r = RecordReader::new(reader);
        let mut seen = HashSet::new();
        while let Some(payload) = r.next_record().expect("a whole record") {
            assert!(payload.len() >= 8, "record too short: {}", payload.len());
            let t = u32::from_le_bytes(payload[0..4].try_into().unwrap());
            let i = u32::from_le_bytes(payload[4..8].try_into().unwrap());
            assert!(t < 4 && i < 1000, "garbled ids {t}, {i}");
            assert!(payload == record(t, i), "record {t}/{i} arrived damaged");
            assert!(seen.insert((t, i)), "record {t}/{i} arrived twice");
        }
        for w in writers {
            w.join().expect("writer panicked");
        }
        seen
    });
    assert_eq!(seen.len(), 4000, "records lost");
}

#[test]
fn an_oversized_record_is_rejected_and_nothing_is_written() {
    let mut sink = Vec::new();
    let mut w = RecordWriter::new(&mut sink);
    match w.write_record(&vec![1u8; MAX_PAYLOAD + 1]) {
        Err(RecordError::TooLarge { len, max }) => {
            assert_eq!((len, max), (MAX_PAYLOAD + 1, MAX_PAYLOAD));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(sink.is_empty(), "a rejected record must not be written");
}

#[test]
fn the_largest_record_fills_exactly_pipe_buf() {
    let mut sink = Vec::new();
    RecordWriter::new(&mut sink)
        .write_record(&vec![7u8; MAX_PAYLOAD])
        .expect("a record of MAX_PAYLOAD bytes fits");
    assert_eq!(sink.len(), PIPE_BUF);
    let mut r = RecordReader::new(&sink[..]);
    assert_eq!(r.next_record().unwrap(), Some(vec![7u8; MAX_PAYLOAD]));
    assert!(r.next_record().unwrap().is_none());
}

#[test]
fn a_truncated_final_record_is_reported() {
    let mut stream = Vec::new();
    let mut w = RecordWriter::new(&mut stream);
    w.write_record(b"first").unwrap();
    w.write_record(b"second record").unwrap();
    stream.truncate(stream.len() - 3);
    let mut r = RecordReader::new(&stream[..]);
    assert_eq!(r.next_record().unwrap(), Some(b"first".to_vec()));
    match r.next_record() {
        Err(RecordError::Truncated { expected, got }) => {
            assert_eq!((expected, got), (HEADER + 13, HEADER + 10));
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn a_stream_ending_inside_a_header_is_truncated() {
    let mut r = RecordReader::new(&[5u8, 0][..]);
    match r.next_record() {
        Err(RecordError::Truncated { expected, got }) => assert_eq!((expected, got), (HEADER, 2)),
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn an_empty_stream_is_a_clean_end_and_a_huge_header_an_error() {
    assert!(RecordReader::new(&[][..]).next_record().unwrap().is_none());
    // A corrupt header announcing 4 GiB: refused before any allocation.
    let mut r = RecordReader::new(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3][..]);
    assert!(matches!(r.next_record(), Err(RecordError::TooLarge { .. })));
}

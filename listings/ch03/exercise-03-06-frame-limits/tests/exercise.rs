//! Tests for this exercise. `cargo test -p exercise-03-06-frame-limits` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_06_frame_limits as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{CodecError, HEADER, decode, encode, finish};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

// A counting allocator: proves that a huge length prefix allocates nothing.
struct Counting;

thread_local! {
    static LARGEST: Cell<Option<usize>> = const { Cell::new(None) };
}

fn record(size: usize) {
    let _ = LARGEST.try_with(|l| {
        if let Some(largest) = l.get() {
            l.set(Some(largest.max(size)));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn stream_of(frames: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        encode(f, &mut out);
    }
    out
}

/// Feeds `pieces` into a receive buffer, decoding after each.
fn decode_pieces(pieces: &[&[u8]], max: usize) -> Result<Vec<Vec<u8>>, CodecError> {
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        while let Some(f) = decode(&mut buf, max)? {
            frames.push(f);
        }
    }
    finish(&buf)?;
    Ok(frames)
}

#[test]
fn one_whole_frame() {
    let mut buf = stream_of(&[b"hello"]);
    assert_eq!(decode(&mut buf, 100), Ok(Some(b"hello".to_vec())));
    assert!(buf.is_empty());
    assert_eq!(decode(&mut buf, 100), Ok(None));
}

#[test]
fn the_rest_stays_in_the_buffer() {
    let mut buf = stream_of(&[b"one", b"two"]);
    buf.extend_from_slice(&[0, 0]); // the start of a third prefix
    assert_eq!(decode(&mut buf, 100), Ok(Some(b"one".to_vec())));
    assert_eq!(decode(&mut buf, 100), Ok(Some(b"two".to_vec())));
    assert_eq!(decode(&mut buf, 100), Ok(None));
    assert_eq!(buf, vec![0, 0]);
}

#[test]
fn an_incomplete_frame_leaves_the_buffer_untouched() {
    let full = stream_of(&[b"abcdef"]);
    for cut in 0..full.len() {
        let mut buf = full[..cut].to_vec();
        assert_eq!(decode(&mut buf, 100), Ok(None), "cut at {cut}");
        assert_eq!(buf, full[..cut], "cut at {cut}");
    }
}

#[test]
fn frames_split_at_every_point() {
    let frames: [&[u8]; 4] = [b"first", b"", b"x", b"the fourth frame"];
    let stream = stream_of(&frames);
    for a in 0..=stream.len() {
        for b in a..=stream.len() {
            let pieces = [&stream[..a], &stream[a..b], &stream[b..]];
            assert_eq!(
                decode_pieces(&pieces, 100),
                Ok(frames.map(<[u8]>::to_vec).to_vec())
            );
        }
    }
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(
        decode_pieces(&bytes, 100),
        Ok(frames.map(<[u8]>::to_vec).to_vec())
    );
}

#[test]
fn the_limit_is_inclusive() {
    let mut buf = stream_of(&[&[7; 10]]);
    assert_eq!(decode(&mut buf, 10), Ok(Some(vec![7; 10])));
    let mut buf = stream_of(&[&[7; 11]]);
    assert_eq!(
        decode(&mut buf, 10),
        Err(CodecError::TooLarge { len: 11, max: 10 })
    );
}

#[test]
fn a_4_gib_prefix_is_too_large_without_allocating() {
    let mut buf = Vec::with_capacity(64);
    buf.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    LARGEST.with(|l| l.set(Some(0)));
    let result = decode(&mut buf, 1 << 20);
    let largest = LARGEST.with(|l| l.take()).unwrap_or(0);
    assert_eq!(
        result,
        Err(CodecError::TooLarge {
            len: u32::MAX as u64,
            max: 1 << 20
        })
    );
    assert!(
        largest <= 64,
        "decode allocated {largest} bytes for a refused frame"
    );
}

#[test]
fn the_prefix_is_checked_before_the_payload_arrives() {
    // Only the prefix: the error must not wait for 2 GiB that never come.
    let mut buf = (1u32 << 31).to_be_bytes().to_vec();
    assert_eq!(
        decode(&mut buf, 1000),
        Err(CodecError::TooLarge {
            len: 1 << 31,
            max: 1000
        })
    );
}

#[test]
fn truncated_at_end_of_stream() {
    assert_eq!(finish(&[]), Ok(()));
    assert_eq!(
        finish(&[0, 0]),
        Err(CodecError::Truncated {
            have: 2,
            need: HEADER
        })
    );
    let full = stream_of(&[b"abcdef"]);
    assert_eq!(
        decode_pieces(&[&full[..7]], 100),
        Err(CodecError::Truncated { have: 7, need: 10 })
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let mut buf: Vec<u8> = (0..(x % 64) as usize)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        while let Ok(Some(frame)) = decode(&mut buf, 32) {
            assert!(frame.len() <= 32);
        }
        let _ = finish(&buf);
    }
}

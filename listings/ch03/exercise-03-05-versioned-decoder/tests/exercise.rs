//! Tests for this exercise. `cargo test -p exercise-03-05-versioned-decoder`
//! tests your `src/lib.rs`; the book's own test run adds `--features solution`
//! to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_05_versioned_decoder as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{DecodeError, MAX_MESSAGE, Message, MessageV1, decode, encode, encode_v1};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the bytes allocated by the current thread, so a test can show
/// that refusing an oversized message allocates nothing.
struct Counting;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call goes unchanged to the system allocator; the counter is
// a const-initialised thread-local without a destructor, so updating it
// never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size()));
        // SAFETY: the caller upholds `alloc`'s contract; we pass it on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

fn message(id: u64, priority: u8, body: &str) -> Message {
    Message {
        id,
        priority,
        body: body.to_string(),
    }
}

/// A tiny deterministic pseudo-random generator (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn current_messages_round_trip() {
    for m in [
        message(0, 0, ""),
        message(7, 3, "hello"),
        message(u64::MAX, 255, "grüße, 世界"),
        message(300, 9, &"x".repeat(1000)),
    ] {
        assert_eq!(decode(&encode(&m)), Ok(m));
    }
}

#[test]
fn version_1_is_upgraded_to_the_current_type() {
    let old = MessageV1 {
        id: 42,
        body: "from an old sender".into(),
    };
    assert_eq!(
        decode(&encode_v1(&old)),
        Ok(message(42, ex::DEFAULT_PRIORITY, "from an old sender"))
    );
}

#[test]
fn a_message_of_exactly_the_limit_is_accepted() {
    // version 1 byte + id 1 byte + priority 1 byte + length 2 bytes + body
    let m = message(5, 1, &"a".repeat(MAX_MESSAGE - 5));
    let bytes = encode(&m);
    assert_eq!(bytes.len(), MAX_MESSAGE);
    assert_eq!(decode(&bytes), Ok(m));
}

#[test]
fn oversized_input_is_refused_before_parsing_and_allocating() {
    let m = message(5, 1, &"a".repeat(MAX_MESSAGE));
    let bytes = encode(&m);
    let (result, allocated) = allocated_by(|| decode(&bytes));
    assert_eq!(
        result,
        Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_MESSAGE
        })
    );
    assert_eq!(allocated, 0, "refusing allocated {allocated} bytes");
    let huge = vec![2u8; 10 * MAX_MESSAGE];
    assert!(matches!(decode(&huge), Err(DecodeError::TooLarge { .. })));
}

#[test]
fn empty_input_and_unknown_versions_are_typed_errors() {
    assert_eq!(decode(&[]), Err(DecodeError::Empty));
    let mut future = encode(&message(1, 1, "from the future"));
    for version in [0, 3, 200, 255] {
        future[0] = version;
        assert_eq!(decode(&future), Err(DecodeError::UnknownVersion(version)));
    }
}

#[test]
fn truncated_messages_are_malformed() {
    let bytes = encode(&message(1_000_000, 4, "a body that gets cut short"));
    for cut in 1..bytes.len() {
        assert!(
            matches!(decode(&bytes[..cut]), Err(DecodeError::Malformed(_))),
            "cut at {cut}: {:?}",
            decode(&bytes[..cut])
        );
    }
}

#[test]
fn bytes_after_a_message_are_refused() {
    let mut bytes = encode(&message(1, 1, "hi"));
    bytes.extend_from_slice(&[0, 0, 0]);
    assert_eq!(decode(&bytes), Err(DecodeError::TrailingBytes { extra: 3 }));
}

#[test]
fn a_length_claiming_more_than_the_input_is_malformed() {
    // Version 2, id 1, priority 1, then a body length of 2^28 bytes.
    let bytes = [2, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x01];
    let (result, allocated) = allocated_by(|| decode(&bytes));
    assert!(matches!(result, Err(DecodeError::Malformed(_))));
    assert!(allocated < 1024, "allocated {allocated} bytes");
}

#[test]
fn garbage_never_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 40) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half the inputs start with a valid version, to reach the payload.
        if !bytes.is_empty() && rng.next().is_multiple_of(2) {
            bytes[0] = 1 + (rng.next() % 2) as u8;
        }
        if let Ok(m) = decode(&bytes) {
            accepted += 1;
            assert!(m.body.len() < MAX_MESSAGE);
        }
    }
    // Some random inputs are valid messages (an empty body is one byte);
    // the point is that none of them panicked.
    assert!(accepted < 20_000);
}

//! Every hostile input is rejected with the right typed error, and rejecting
//! it allocates (almost) nothing: a counting allocator proves the bound.

use listing_03_22_hostile_input::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Per thread, so tests running in parallel do not count each other.
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialised thread-local without a destructor, so
// touching it never allocates.
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

const GIB_4: u64 = 4 << 30;

#[test]
fn the_naive_decoder_allocates_what_the_sender_claims() {
    let mut input = (16u32 << 20).to_le_bytes().to_vec();
    input.extend_from_slice(b"tiny");
    let (decoded, bytes) = allocated_by(|| naive_decode(&input));
    assert_eq!(decoded, None);
    assert!(bytes >= 16 << 20, "allocated only {bytes} bytes");
}

#[test]
fn the_naive_decoder_reads_an_honest_message() {
    let mut input = 3u32.to_le_bytes().to_vec();
    input.extend_from_slice(b"abc");
    assert_eq!(naive_decode(&input), Some(b"abc".to_vec()));
}

#[test]
fn bincode_without_a_limit_also_trusts_the_claim() {
    // What the limit protects against: bincode's default configuration
    // zero-fills a Vec<u8> of the claimed length before reading into it.
    let input = bincode_claim(16 << 20);
    let (result, bytes) = allocated_by(|| {
        bincode::decode_from_slice::<Vec<u8>, _>(&input, bincode::config::standard())
    });
    assert!(result.is_err());
    assert!(bytes >= 16 << 20, "allocated only {bytes} bytes");
}

#[test]
fn bincode_with_a_limit_refuses_before_allocating() {
    let input = bincode_claim(GIB_4);
    let (result, bytes) = allocated_by(|| bincode_limited(&input));
    assert!(matches!(
        result,
        Err(Rejected::Bincode(
            bincode::error::DecodeError::LimitExceeded
        ))
    ));
    assert_eq!(bytes, 0);
    // And an honest message under the limit still decodes.
    let honest = bincode::encode_to_vec(b"hello".to_vec(), bincode::config::standard()).unwrap();
    assert_eq!(bincode_limited(&honest).unwrap(), b"hello");
}

#[test]
fn postcard_refuses_a_length_longer_than_the_input() {
    let input = postcard_claim(GIB_4);
    let (result, bytes) = allocated_by(|| postcard_bytes(&input));
    assert!(matches!(
        result,
        Err(Rejected::Postcard(
            postcard::Error::DeserializeUnexpectedEnd
        ))
    ));
    assert!(bytes < 1024, "allocated {bytes} bytes");
    let honest = postcard::to_allocvec(&b"hello".to_vec()).unwrap();
    assert_eq!(postcard_bytes(&honest).unwrap(), b"hello");
}

#[test]
fn deep_json_is_an_error_not_a_stack_overflow() {
    for depth in [10_000, 1_000_000] {
        let input = nested_json(depth);
        let (result, bytes) = allocated_by(|| json_value(&input));
        match result {
            Err(Rejected::Json(e)) => assert!(e.to_string().contains("recursion limit")),
            other => panic!("expected a recursion error, got {other:?}"),
        }
        assert!(bytes < 64 * 1024, "allocated {bytes} bytes");
    }
    // Shallow nesting is fine.
    assert!(json_value(&nested_json(100)).is_ok());
}

#[test]
fn the_size_cap_refuses_before_decoding() {
    let big = vec![0u8; MAX_INPUT + 1];
    let (result, bytes) = allocated_by(|| capped(&big, postcard_bytes));
    assert!(matches!(
        result,
        Err(Rejected::TooLarge { len, max }) if len == MAX_INPUT + 1 && max == MAX_INPUT
    ));
    assert_eq!(bytes, 0);
    let small = postcard::to_allocvec(&vec![7u8; 100]).unwrap();
    assert_eq!(capped(&small, postcard_bytes).unwrap(), vec![7u8; 100]);
}

#[test]
fn errors_display_their_cause() {
    let e = capped(&vec![0u8; MAX_INPUT + 1], postcard_bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("input of {} bytes, the limit is {MAX_INPUT}", MAX_INPUT + 1)
    );
}

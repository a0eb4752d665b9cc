//! A hostile 4 GiB length prefix must cost no allocation beyond the cap.
//! A counting global allocator records every allocation the test thread
//! makes while the decoder runs.

use listing_03_28_frame_codec::{Decoder, FrameError};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // (largest single allocation, total bytes) for this thread while it
    // counts; `None` when it does not. Per thread, because the test harness
    // runs tests side by side and allocates on its own threads too.
    static STATS: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

fn record(size: usize) {
    let _ = STATS.try_with(|s| {
        if let Some((largest, total)) = s.get() {
            s.set(Some((largest.max(size), total + size)));
        }
    });
}

/// Runs `f` and returns its result with the largest allocation and the
/// total bytes it allocated on this thread.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    STATS.with(|s| s.set(Some((0, 0))));
    let out = f();
    let (largest, total) = STATS.with(|s| s.take()).unwrap_or_default();
    (out, largest, total)
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// wrapper only reads the layout sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller upholds `alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: the caller upholds `realloc`'s contract, passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn hostile_prefixes_allocate_almost_nothing() {
    const MAX: usize = 64 * 1024;
    for prefix in [u32::MAX, 1 << 31, MAX as u32 + 1] {
        let (result, largest, total) = counted(|| {
            let mut d = Decoder::new(MAX);
            d.feed(&prefix.to_be_bytes());
            d.feed(b"more bytes that follow");
            d.next_frame()
        });
        assert_eq!(
            result,
            Err(FrameError::TooLarge {
                len: prefix as u64,
                max: MAX
            })
        );
        assert!(
            largest <= 64,
            "prefix {prefix}: largest allocation {largest} bytes"
        );
        assert!(
            total <= 256,
            "prefix {prefix}: {total} bytes allocated in all"
        );
    }
}

#[test]
fn a_sane_prefix_reserves_only_its_own_frame() {
    let (result, largest, _) = counted(|| {
        let mut d = Decoder::new(1 << 20);
        d.feed(&1000u32.to_be_bytes());
        d.next_frame()
    });
    assert_eq!(result, Ok(None));
    // Once the prefix passed the check, the buffer grows to hold that frame
    // and no more.
    assert!(
        (1000..2048).contains(&largest),
        "largest allocation {largest} bytes"
    );
}

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// Counts how often each byte value occurs in `data`, with `threads` scoped
/// threads sharing one table of atomic counters.
pub fn byte_histogram(data: &[u8], threads: usize) -> [u64; 256] {
    let counts: [AtomicU64; 256] = std::array::from_fn(|_| AtomicU64::new(0));
    if !data.is_empty() {
        let chunk = data.len().div_ceil(threads.max(1));
        let counts = &counts;
        thread::scope(|s| {
            for part in data.chunks(chunk) {
                s.spawn(move || {
                    for &byte in part {
                        // Relaxed: only the totals matter, and the scope's
                        // join makes them visible to the caller.
                        counts[usize::from(byte)].fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
    }
    counts.map(AtomicU64::into_inner)
}

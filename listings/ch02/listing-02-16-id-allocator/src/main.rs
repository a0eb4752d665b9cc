use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

// ANCHOR: alloc
/// Returns the next free id, or `None` once `max` ids have been given out.
/// `fetch_add` would wrap around at `u32::MAX` and hand out 0 again; the
/// compare-and-exchange loop checks before it increments.
pub fn next_id(next: &AtomicU32, max: u32) -> Option<u32> {
    let mut current = next.load(Relaxed);
    loop {
        if current >= max {
            return None;
        }
        // Store current + 1 only if `next` still holds `current`; otherwise
        // another thread got there first, and we retry with what it stored.
        match next.compare_exchange_weak(current, current + 1, Relaxed, Relaxed) {
            Ok(_) => return Some(current),
            Err(seen) => current = seen,
        }
    }
}
// ANCHOR_END: alloc

fn main() {
    let next = AtomicU32::new(0);
    let max = 10_000;
    let ids: Vec<Vec<u32>> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| std::iter::from_fn(|| next_id(&next, max)).collect()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: HashSet<u32> = ids.iter().flatten().copied().collect();
    let handed_out: usize = ids.iter().map(Vec::len).sum();
    println!(
        "4 threads asked until refused: {handed_out} ids handed out, {} distinct",
        all.len()
    );
    println!(
        "smallest {}, largest {}",
        all.iter().min().unwrap(),
        all.iter().max().unwrap()
    );
}

use std::thread;

/// Applies `f` to every element of `data` and returns the sum of the results,
/// using up to `threads` threads, each on one contiguous chunk.
pub fn parallel_map_sum(data: &[u64], threads: usize, f: impl Fn(u64) -> u64 + Sync) -> u64 {
    if data.is_empty() {
        return 0;
    }
    let chunk = data.len().div_ceil(threads.max(1));
    let f = &f; // each thread gets a copy of the reference, not of `f`
    thread::scope(|s| {
        let handles: Vec<_> = data
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|&x| f(x)).sum::<u64>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker panicked"))
            .sum()
    })
}

use std::collections::HashMap;
use std::thread;

/// How often each word occurs in `lines`, counted on `threads` threads that
/// share nothing: each returns its own map, and the maps are merged.
pub fn word_counts(lines: &[&str], threads: usize) -> HashMap<String, usize> {
    if lines.is_empty() {
        return HashMap::new();
    }
    let share = lines.len().div_ceil(threads.max(1));
    let maps: Vec<HashMap<String, usize>> = thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(share)
            .map(|part| {
                s.spawn(move || {
                    let mut counts = HashMap::new();
                    for word in part.iter().flat_map(|l| l.split_whitespace()) {
                        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
                    }
                    counts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counter panicked"))
            .collect()
    });
    let mut total = HashMap::new();
    for map in maps {
        for (word, count) in map {
            *total.entry(word).or_insert(0) += count;
        }
    }
    total
}

use rayon::prelude::*;
use std::collections::HashMap;

/// How often each word occurs in `lines`. Words are separated by whitespace
/// and counted in lower case. The lines are counted in parallel on rayon's
/// current pool: one map per piece of work (`fold`), merged with `reduce`.
pub fn word_counts(lines: &[&str]) -> HashMap<String, usize> {
    lines
        .par_iter()
        .flat_map_iter(|line| line.split_whitespace())
        .fold(HashMap::new, |mut counts, word| {
            *counts.entry(word.to_lowercase()).or_insert(0) += 1;
            counts
        })
        .reduce(HashMap::new, merge)
}

/// Adds the smaller map into the larger, so the cost is the smaller's size.
fn merge(a: HashMap<String, usize>, b: HashMap<String, usize>) -> HashMap<String, usize> {
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    for (word, n) in small {
        *big.entry(word).or_insert(0) += n;
    }
    big
}

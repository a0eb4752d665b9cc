use listing_04_14_chunking::{Pool, serve_if_worker};
use std::time::{Duration, Instant};

/// A tiny task: square a number. Far cheaper than the round trip it rides on.
fn square(task: &[u8]) -> Result<Vec<u8>, String> {
    let n = u64::from_le_bytes(task.try_into().map_err(|_| "expected 8 bytes")?);
    Ok((n * n).to_le_bytes().to_vec())
}

// ANCHOR: main
const TASKS: u64 = 10_000;

/// Maps every task with `chunksize` tasks per message; checks the results.
fn run(pool: &Pool, chunksize: usize) -> (Duration, u64) {
    let tasks = (0..TASKS).map(|n| n.to_le_bytes().to_vec()).collect();
    let before = pool.stats().messages;
    let started = Instant::now();
    let results = pool.map_chunked(tasks, chunksize);
    let elapsed = started.elapsed();
    for (n, result) in (0..TASKS).zip(results) {
        assert_eq!(result.expect("no failure"), (n * n).to_le_bytes());
    }
    (elapsed, pool.stats().messages - before)
}

fn main() -> std::io::Result<()> {
    serve_if_worker(square);
    let pool = Pool::new(2)?;
    run(&pool, 100); // warm up: workers started, pages touched
    let (one, one_messages) = run(&pool, 1);
    let (chunked, chunked_messages) = run(&pool, 100);
    println!("{TASKS} tasks, one per message:  {one_messages} messages, {one:.1?}");
    println!("{TASKS} tasks, 100 per message: {chunked_messages} messages, {chunked:.1?}");
    let speedup = one.as_secs_f64() / chunked.as_secs_f64();
    println!("chunks of 100 are {speedup:.1}x faster");
    Ok(())
}
// ANCHOR_END: main

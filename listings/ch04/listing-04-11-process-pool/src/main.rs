use listing_04_11_process_pool::{Pool, serve_if_worker_typed};
use std::time::Instant;

/// The task: count the primes below `n`, by trial division (CPU-bound).
fn count_primes(n: u64) -> Result<u64, String> {
    let is_prime = |k: u64| {
        k >= 2
            && (2..)
                .take_while(|d| d * d <= k)
                .all(|d| !k.is_multiple_of(d))
    };
    Ok((0..n).filter(|&k| is_prime(k)).count() as u64)
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    // ANCHOR: start
    // In a worker this serves tasks and never returns; here it returns.
    serve_if_worker_typed(count_primes);

    let pool = Pool::new(4)?;
    let tasks: Vec<u64> = (1..=8).map(|i| i * 100_000).collect();
    let started = Instant::now();
    let results = pool.map_typed::<u64, u64>(&tasks);
    // ANCHOR_END: start
    let elapsed = started.elapsed();
    for (n, result) in tasks.iter().zip(&results) {
        match result {
            Ok(count) => println!("primes below {n:>7}: {count}"),
            Err(e) => println!("{e}"),
        }
    }
    println!(
        "{} tasks on {} worker processes in {elapsed:.1?}",
        tasks.len(),
        pool.workers()
    );
    let stats = pool.stats();
    println!(
        "messages sent: {}, workers started: {}",
        stats.messages, stats.workers_started
    );
    Ok(())
}
// ANCHOR_END: main

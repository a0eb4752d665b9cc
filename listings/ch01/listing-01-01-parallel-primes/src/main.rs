use rayon::prelude::*;
use std::time::Instant;

/// Trial division: slow on purpose, so that the work is all CPU.
fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn main() {
    const LIMIT: u64 = 1_000_000;

    // ANCHOR: timed
    let start = Instant::now();
    let one_core = (0..LIMIT).filter(|&n| is_prime(n)).count();
    let t_one = start.elapsed();

    let start = Instant::now();
    let all_cores = (0..LIMIT).into_par_iter().filter(|&n| is_prime(n)).count();
    let t_all = start.elapsed();
    // ANCHOR_END: timed

    assert_eq!(one_core, all_cores);
    println!("primes below {LIMIT}: {all_cores}");
    println!("one core:  {t_one:.1?}");
    println!("all cores: {t_all:.1?}");
    println!(
        "speed-up:  {:.2}x",
        t_one.as_secs_f64() / t_all.as_secs_f64()
    );
}

use listing_04_07_join_sort::{is_sorted_in_parts, par_quicksort, random_numbers};
use std::time::Instant;

fn main() {
    const N: usize = 2_000_000;
    let original = random_numbers(N, 42);

    let mut expected = original.clone();
    expected.sort_unstable();

    // The same sort on a pool of one thread: join runs both halves itself.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut v = original.clone();
    let start = Instant::now();
    one.install(|| par_quicksort(&mut v));
    let one_time = start.elapsed();

    let mut v = original.clone();
    rayon::join(|| (), || ()); // start the global pool before timing
    let start = Instant::now();
    par_quicksort(&mut v);
    let par_time = start.elapsed();

    println!("sorted {N} numbers with rayon::join");
    println!("same result as sort_unstable: {}", v == expected);
    println!(
        "checked in 8 borrowed tasks: sorted = {}",
        is_sorted_in_parts(&v, 8)
    );
    println!(
        "unsorted input fails the check: {}",
        !is_sorted_in_parts(&original, 8)
    );
    println!(
        "speed-up over the same sort on a one-thread pool: {:.1}x",
        one_time.as_secs_f64() / par_time.as_secs_f64()
    );
}

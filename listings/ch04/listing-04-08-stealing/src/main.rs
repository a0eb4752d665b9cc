use listing_04_08_stealing::{join_while_busy, runs, who_ran_what};
use std::time::Duration;

fn main() {
    const WORKERS: usize = 2;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .build()
        .expect("a pool of two");

    // ANCHOR: main
    // Uneven tasks: every eighth one costs twenty times the others.
    let costs: Vec<u32> = (0..64)
        .map(|i| if i % 8 == 0 { 5_000 } else { 200 })
        .collect();
    let workers = who_ran_what(&pool, &costs);
    let map: String = workers.iter().map(|w| w.to_string()).collect();
    println!(
        "{} uneven tasks on a pool of {WORKERS} workers",
        costs.len()
    );
    println!(
        "every task ran exactly once: {}",
        workers.len() == costs.len()
    );
    println!("who ran each task: {map}");
    let runs = runs(&workers);
    for w in 0..WORKERS {
        let mine = runs.iter().filter(|r| r.0 == w);
        let tasks: usize = mine.clone().map(|r| r.1).sum();
        println!("worker {w} ran {tasks} tasks; runs: {}", mine.count());
    }

    let (a, b) = join_while_busy(&pool, Duration::from_secs(5));
    println!(
        "join: b was stolen by another worker while a ran: {}",
        a != b
    );
    // ANCHOR_END: main
}

use listing_04_08_stealing::{join_while_busy, runs, who_ran_what};
use std::time::Duration;

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn every_task_runs_once_on_a_worker_of_the_pool() {
    let costs: Vec<u32> = (0..200).map(|i| (i % 5) * 20).collect();
    let workers = who_ran_what(&pool(3), &costs);
    assert_eq!(workers.len(), costs.len());
    assert!(workers.iter().all(|&w| w < 3));
    let runs = runs(&workers);
    assert_eq!(runs.iter().map(|r| r.1).sum::<usize>(), costs.len());
    // Runs alternate workers: two neighbours never share one.
    assert!(runs.windows(2).all(|p| p[0].0 != p[1].0));
}

#[test]
fn a_one_worker_pool_runs_everything_in_one_run() {
    let workers = who_ran_what(&pool(1), &[10; 50]);
    assert_eq!(runs(&workers), vec![(0, 50)]);
}

#[test]
fn the_second_half_of_a_join_is_stolen_when_the_first_is_busy() {
    let (a, b) = join_while_busy(&pool(2), Duration::from_secs(10));
    assert_ne!(a, b);
}

#[test]
fn with_one_worker_nobody_steals_and_the_wait_times_out() {
    let (a, b) = join_while_busy(&pool(1), Duration::from_millis(50));
    assert_eq!(a, b);
}

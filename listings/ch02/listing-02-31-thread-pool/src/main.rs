use crossbeam_channel::unbounded;
use listing_02_31_thread_pool::ThreadPool;
use std::collections::BTreeSet;
use std::thread;

fn main() {
    let (done_tx, done) = unbounded();
    {
        let pool = ThreadPool::new(3);
        for job in 0..12u64 {
            let done_tx = done_tx.clone();
            pool.execute(move || {
                let worker = thread::current().name().unwrap_or("?").to_string();
                let sum: u64 = (0..=job * 100_000).sum();
                done_tx.send((job, sum, worker)).unwrap();
            });
        }
        // `pool` is dropped here: every queued job runs before the drop returns.
    }
    drop(done_tx);
    let mut jobs = BTreeSet::new();
    let mut workers = BTreeSet::new();
    for (job, _, worker) in done {
        jobs.insert(job);
        workers.insert(worker);
    }
    println!(
        "{} jobs finished before the pool was gone: {jobs:?}",
        jobs.len()
    );
    println!("at most 3 workers did them: {}", workers.len() <= 3);
}

use std::time::{Duration, Instant};

// One thread runs every task: whatever overlaps here is concurrency, not parallelism.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    const TASKS: u32 = 10_000;
    let nap = Duration::from_millis(100);

    let start = Instant::now();
    let mut handles = Vec::new();
    // ANCHOR: spawn
    for id in 0..TASKS {
        handles.push(tokio::spawn(async move {
            tokio::time::sleep(nap).await;
            u64::from(id)
        }));
    }
    // ANCHOR_END: spawn
    let mut checksum = 0;
    for handle in handles {
        checksum += handle.await.expect("a task panicked");
    }
    let elapsed = start.elapsed();

    let one_after_another = nap * TASKS;
    println!("{TASKS} tasks each waited {nap:?} (checksum {checksum})");
    println!("waiting one after another would take {one_after_another:?}");
    println!("all of them finished in {elapsed:.1?} on one thread");
}

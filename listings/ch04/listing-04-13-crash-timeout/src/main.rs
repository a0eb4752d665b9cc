use listing_04_13_crash_timeout::{Pool, serve_if_worker_typed};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Serialize, Deserialize)]
enum Task {
    Square(u64),
    /// Ends the worker process at once, as a segfault in C code would.
    Abort,
    /// Never returns.
    Forever,
}

fn run(task: Task) -> Result<u64, String> {
    match task {
        Task::Square(n) => Ok(n * n),
        Task::Abort => std::process::abort(),
        Task::Forever => loop {
            std::thread::park();
        },
    }
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    serve_if_worker_typed(run);
    let pool = Pool::builder(4)
        .task_timeout(Duration::from_secs(1))
        .max_attempts(2)
        .start()?;

    let tasks: Vec<Task> = (0..10)
        .map(|i| match i {
            3 => Task::Abort,
            7 => Task::Forever,
            n => Task::Square(n),
        })
        .collect();
    let results = pool.map_typed::<Task, u64>(&tasks);

    let mut delivered = 0;
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(square) => {
                delivered += 1;
                println!("task {i}: {square}");
            }
            Err(e) => println!("{e}"),
        }
    }
    let stats = pool.stats();
    println!(
        "{delivered} results, {} failures",
        results.len() - delivered
    );
    println!(
        "workers started: {} (4 + 2 replaced after aborts + 1 after the timeout)",
        stats.workers_started
    );
    Ok(())
}
// ANCHOR_END: main

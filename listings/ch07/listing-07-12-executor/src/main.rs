use listing_07_12_executor::{Executor, yield_now};

fn main() {
    let ex = Executor::new();
    // Three tasks take turns: each yields after every step, so the run queue
    // interleaves them in the order they were woken.
    let handles: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|name| {
            ex.spawn(async move {
                for step in 1..=3 {
                    println!("task {name} step {step}");
                    yield_now().await;
                }
                name.len() * 10
            })
        })
        .collect();
    // A task can spawn another through a clone of the executor.
    let spawner = ex.clone();
    let nested = ex.spawn(async move { spawner.spawn(async { 7 }).await * 6 });
    let total = ex.block_on(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await;
        }
        sum + nested.await
    });
    println!("all joined: total {total}, tasks left {}", ex.live_tasks());
}

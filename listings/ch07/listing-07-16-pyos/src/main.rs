//! Beazley's first demos on the tiny OS: task ids, a new task, waiting for
//! it, and killing a task that would run forever.

use listing_07_16_pyos::{Os, get_tid, kill_task, new_task, wait_task, yield_now};

// ANCHOR: main
async fn foo(steps: u32) {
    let me = get_tid().await;
    for step in 1..=steps {
        println!("  task {me}: foo step {step}");
        yield_now().await;
    }
}

async fn forever() {
    let me = get_tid().await;
    loop {
        println!("  task {me}: still here");
        yield_now().await;
    }
}

async fn boss() {
    let me = get_tid().await;
    let a = new_task(foo(2)).await;
    let b = new_task(foo(3)).await;
    println!("task {me}: started tasks {a} and {b}");
    wait_task(b).await;
    println!("task {me}: task {b} has ended");

    let f = new_task(forever()).await;
    yield_now().await;
    yield_now().await;
    println!("task {me}: kill {f} -> {}", kill_task(f).await);
    wait_task(f).await; // returns at once: the task is gone
    println!("task {me}: kill {f} again -> {}", kill_task(f).await);
}

fn main() {
    let mut os = Os::new();
    os.spawn(boss());
    let report = os.run();
    println!(
        "{} task switches, {} left over",
        report.switches, report.deadlocked
    );
}
// ANCHOR_END: main

use listing_07_08_block_on::{Delay, block_on};
use nix::sys::resource::{UsageWho, getrusage};
use std::time::{Duration, Instant};

// ANCHOR: main
/// An `async fn` awaits hand-written futures like any other.
async fn two_steps() -> &'static str {
    Delay::new(Duration::from_millis(30)).await;
    Delay::new(Duration::from_millis(20)).await;
    "both delays done"
}

fn main() {
    let cpu_before = thread_cpu();
    let start = Instant::now();
    let result = block_on(two_steps());
    let wall = start.elapsed();
    let cpu = thread_cpu() - cpu_before;
    println!(
        "{result}; waited at least 50 ms: {}",
        wall >= Duration::from_millis(50)
    );
    // A spinning executor would burn the whole wait on the CPU.
    println!(
        "main thread was on the CPU for under 10 ms: {}",
        cpu < Duration::from_millis(10)
    );
}
// ANCHOR_END: main

/// CPU time the calling thread has used so far (user + system).
fn thread_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_THREAD).expect("getrusage");
    let (u, s) = (usage.user_time(), usage.system_time());
    let micros = (u.tv_sec() + s.tv_sec()) * 1_000_000 + u.tv_usec() + s.tv_usec();
    Duration::from_micros(micros as u64)
}

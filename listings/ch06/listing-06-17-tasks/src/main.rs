//! What `async fn`, `.await` and `tokio::spawn` do, seen from the outside:
//! futures are lazy values, and tasks are cheap enough to have thousands.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static STEPS: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: lazy
/// Two steps separated by a wait; each `.await` is a point where the
/// compiler-generated state machine can stop and later resume.
async fn two_steps(pause: Duration) -> usize {
    STEPS.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(pause).await;
    STEPS.fetch_add(1, Ordering::SeqCst)
}
// ANCHOR_END: lazy

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // ANCHOR: value
    let fut = two_steps(Duration::from_millis(10));
    // Calling the function built the state machine; nothing ran yet.
    println!("after the call: {} steps ran", STEPS.load(Ordering::SeqCst));
    println!("the future is {} bytes", std::mem::size_of_val(&fut));
    fut.await;
    println!("after .await: {} steps ran", STEPS.load(Ordering::SeqCst));
    // ANCHOR_END: value

    // ANCHOR: many
    const TASKS: usize = 10_000;
    let pause = Duration::from_millis(200);
    let start = Instant::now();
    let handles: Vec<_> = (0..TASKS).map(|_| tokio::spawn(two_steps(pause))).collect();
    for h in handles {
        h.await.expect("task panicked");
    }
    let took = start.elapsed();
    // All the sleeps overlap: one thread waits for 10,000 timers at once.
    // One after another they would take 10,000 times as long.
    println!(
        "{TASKS} tasks slept {} ms each on one thread: done in {:.1}x the time of one sleep",
        pause.as_millis(),
        took.as_secs_f64() / pause.as_secs_f64()
    );
    // ANCHOR_END: many

    // ANCHOR: cost
    let rounds = 100_000u32;
    let start = Instant::now();
    for _ in 0..rounds {
        tokio::spawn(async { 1u8 }).await.expect("task panicked");
    }
    let per = start.elapsed() / rounds;
    println!(
        "spawn + await of an empty task: {:.1} µs",
        per.as_secs_f64() * 1e6
    );
    // ANCHOR_END: cost
}

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Busy arithmetic for about `how_long`, never awaiting anything.
fn compute_for(how_long: Duration) -> u64 {
    let start = Instant::now();
    let mut x: u64 = 1;
    while start.elapsed() < how_long {
        for _ in 0..1_000 {
            x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
    x
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let nap = Duration::from_millis(50);
    let start = Instant::now();
    let mut sleepers = Vec::new();
    for id in 0..3 {
        sleepers.push(tokio::spawn(async move {
            tokio::time::sleep(nap).await;
            (id, start.elapsed())
        }));
    }
    // Spawned last, so it runs after the sleepers have set their timers;
    // then it keeps the only thread for half a second.
    // ANCHOR: busy
    let busy = tokio::spawn(async move {
        compute_for(Duration::from_millis(500));
        start.elapsed()
    });
    // ANCHOR_END: busy

    let busy_done = busy.await.expect("the busy task panicked");
    println!("the busy task finished after {busy_done:.0?}");
    for sleeper in sleepers {
        let (id, woke) = sleeper.await.expect("a sleeper panicked");
        println!("sleeper {id} asked for {nap:?} and woke after {woke:.0?}");
        // Guaranteed: with one thread, no sleeper runs while the busy task does.
        assert!(woke >= busy_done);
    }
}

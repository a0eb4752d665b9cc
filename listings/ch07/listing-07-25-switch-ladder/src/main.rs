use listing_07_25_switch_ladder::*;
use std::time::Duration;

fn each(took: Duration, n: u64) -> String {
    let ns = took.as_secs_f64() * 1e9 / n as f64;
    if ns >= 1000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else {
        format!("{ns:.1} ns")
    }
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rungs = [
        ("two processes, pipes", 2_000, process_round_trips(2_000)?),
        ("two threads, pipes", 2_000, thread_round_trips(2_000)?),
        ("two tokio tasks, mpsc", 20_000, tokio_round_trips(20_000)?),
        (
            "coroutine resume + suspend",
            200_000,
            coroutine_round_trips(200_000),
        ),
        ("iterator next()", 200_000, iterator_steps(200_000)),
    ];
    println!("time per round trip (there and back):");
    for (name, n, took) in &rungs {
        println!(
            "  {name:<28} {:>9} round trips, {} each",
            n,
            each(*took, *n)
        );
    }
    let per = |i: usize| rungs[i].2.as_secs_f64() / rungs[i].1 as f64;
    println!("process ÷ coroutine: {:.0}x", per(0) / per(3));
    Ok(())
}
// ANCHOR_END: main

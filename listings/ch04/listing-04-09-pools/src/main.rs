use crossbeam_channel::{Receiver, bounded};
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

// ANCHOR: pools
fn named_pool(name: &'static str, threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("{name}-{i}"))
        .build()
        .expect("build a pool")
}

fn thread_names(pool: &ThreadPool) -> Vec<String> {
    // Inside install, par_iter and join use this pool, not the global one.
    pool.install(|| {
        (0..100)
            .into_par_iter()
            .map(|_| thread::current().name().unwrap_or("?").to_string())
            .collect()
    })
}
// ANCHOR_END: pools

// ANCHOR: blocking
/// Occupies two threads with a blocking wait on `gate` (as a slow read or a
/// lock would), on `pool` or on threads of their own, then asks `pool` for
/// a small computation and reports whether it finished within `patience`.
fn compute_while_blocked(pool: &ThreadPool, blockers_on_pool: bool, patience: Duration) {
    let (gate_tx, gate_rx) = bounded::<()>(0);
    let (started_tx, started_rx) = mpsc::channel();
    for _ in 0..2 {
        let (gate, started) = (gate_rx.clone(), started_tx.clone());
        let blocker = move || block_on(&gate, &started);
        if blockers_on_pool {
            pool.spawn(blocker);
        } else {
            thread::spawn(blocker);
        }
    }
    for _ in 0..2 {
        started_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("blocker started");
    }
    let (done_tx, done_rx) = mpsc::channel();
    pool.spawn(move || done_tx.send((0..10_000u64).sum::<u64>()).unwrap());
    let in_time = done_rx.recv_timeout(patience).is_ok();
    println!(
        "  compute task finished within {} ms: {in_time}",
        patience.as_millis()
    );
    drop(gate_tx); // release the blockers: their recv returns at once
    if !in_time {
        let late = done_rx.recv_timeout(Duration::from_secs(5)).is_ok();
        println!("  it ran once a blocking call returned: {late}");
    }
}

fn block_on(gate: &Receiver<()>, started: &mpsc::Sender<()>) {
    started.send(()).unwrap();
    let _ = gate.recv_timeout(Duration::from_secs(10));
}
// ANCHOR_END: blocking

fn main() {
    // ANCHOR: main
    let render = named_pool("render", 2);
    let physics = named_pool("physics", 3);
    for (pool, prefix) in [(&render, "render-"), (&physics, "physics-")] {
        let names = thread_names(pool);
        println!(
            "{} threads; all 100 items ran on {prefix}N threads: {}",
            pool.current_num_threads(),
            names.iter().all(|n| n.starts_with(prefix))
        );
    }

    let patience = Duration::from_millis(500);
    println!("two blocking calls on the render pool's two workers:");
    compute_while_blocked(&render, true, patience);
    println!("two blocking calls on threads of their own:");
    compute_while_blocked(&render, false, patience);
    // ANCHOR_END: main
}

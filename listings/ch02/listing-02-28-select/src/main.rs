use crossbeam_channel::{after, bounded, select};
use std::thread;
use std::time::Duration;

fn main() {
    let (jobs_tx, jobs) = bounded::<u32>(8); // bounded: a fast producer waits
    let (stop_tx, stop) = bounded::<()>(1);
    let worker = thread::spawn(move || {
        let mut done = 0;
        loop {
            // ANCHOR: select
            select! {
                recv(jobs) -> job => match job {
                    Ok(n) => done += n,
                    Err(_) => return (done, "the job channel closed"),
                },
                recv(stop) -> _ => return (done, "asked to stop"),
                recv(after(Duration::from_secs(5))) -> _ => return (done, "idle for 5 s"),
            }
            // ANCHOR_END: select
        }
    });
    for n in 1..=100 {
        jobs_tx.send(n).expect("the worker is running");
    }
    // Wait for the queue to drain, then stop the worker explicitly.
    while !jobs_tx.is_empty() {
        thread::yield_now();
    }
    stop_tx.send(()).unwrap();
    let (done, why) = worker.join().unwrap();
    println!("the worker summed {done} and stopped: {why}");
}

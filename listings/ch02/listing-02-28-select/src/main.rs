use crossbeam_channel::{Receiver, after, bounded, select};
use std::thread;
use std::time::Duration;

/// Sums jobs until the job channel closes, a stop arrives, or no job has
/// come for `idle`. Returns the sum and why it stopped.
fn worker(jobs: Receiver<u32>, stop: Receiver<()>, idle: Duration) -> (u32, &'static str) {
    let mut done = 0;
    loop {
        // ANCHOR: select
        select! {
            recv(jobs) -> job => match job {
                Ok(n) => done += n,
                Err(_) => return (done, "the job channel closed"),
            },
            recv(stop) -> _ => return (done, "asked to stop"),
            recv(after(idle)) -> _ => return (done, "idle for too long"),
        }
        // ANCHOR_END: select
    }
}

fn main() {
    let patient = Duration::from_secs(30);
    // ANCHOR: cases
    // 1. A producer sends a hundred jobs, then hangs up.
    let (jobs_tx, jobs) = bounded::<u32>(8); // bounded: a fast producer waits
    let (_stop_tx, stop) = bounded::<()>(1); // kept: a closed channel is always ready
    let w = thread::spawn(move || worker(jobs, stop, patient));
    for n in 1..=100 {
        jobs_tx.send(n).expect("the worker is running");
    }
    drop(jobs_tx);
    let (sum, why) = w.join().unwrap();
    println!("worker 1 summed {sum} and stopped: {why}");

    // 2. Asked to stop while it waits for work.
    let (_jobs_tx, jobs) = bounded::<u32>(8);
    let (stop_tx, stop) = bounded::<()>(1);
    let w = thread::spawn(move || worker(jobs, stop, patient));
    stop_tx.send(()).unwrap();
    let (sum, why) = w.join().unwrap();
    println!("worker 2 summed {sum} and stopped: {why}");

    // 3. Nobody sends anything: the idle timeout ends the wait.
    let (_jobs_tx, jobs) = bounded::<u32>(8);
    let (_stop_tx, stop) = bounded::<()>(1);
    let w = thread::spawn(move || worker(jobs, stop, Duration::from_millis(100)));
    let (sum, why) = w.join().unwrap();
    println!("worker 3 summed {sum} and stopped: {why}");
    // ANCHOR_END: cases
}

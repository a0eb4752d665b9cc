use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Barrier, Mutex};
use std::thread;

fn main() {
    let workers = 4;
    let steps = 3;
    let step_done = Barrier::new(workers);
    let work_log = Mutex::new(Vec::new());
    let leaders = AtomicUsize::new(0);
    thread::scope(|s| {
        for id in 0..workers {
            let (step_done, work_log, leaders) = (&step_done, &work_log, &leaders);
            s.spawn(move || {
                for step in 1..=steps {
                    work_log.lock().unwrap().push((step, id)); // this step's work
                    // ANCHOR: wait
                    // Nobody starts step n + 1 before everybody finished step n.
                    if step_done.wait().is_leader() {
                        // Exactly one thread per wait is told it is the leader:
                        // the place for once-per-step work.
                        leaders.fetch_add(1, Relaxed);
                    }
                    // ANCHOR_END: wait
                }
            });
        }
    });
    let log = work_log.into_inner().unwrap();
    // The barrier guarantees the steps never interleave in the log.
    let mut steps_in_order: Vec<usize> = log.iter().map(|&(step, _)| step).collect();
    steps_in_order.dedup();
    println!("steps as they happened: {steps_in_order:?}");
    println!(
        "one leader per step: {} leaders for {steps} steps",
        leaders.into_inner()
    );
}

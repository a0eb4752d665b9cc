use crossbeam_channel::{bounded, unbounded};
use std::thread;

/// Uneven work: the number of Collatz steps from `n` down to 1.
fn steps(mut n: u64) -> u64 {
    let mut count = 0;
    while n != 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        count += 1;
    }
    count
}

fn main() {
    const JOBS: usize = 10_000;
    const WORKERS: usize = 4;
    // ANCHOR: queue
    let (jobs_tx, jobs_rx) = bounded::<(usize, u64)>(64);
    let (results_tx, results_rx) = unbounded::<(usize, u64)>();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            // Each worker holds a clone of the one receiver: one queue, many
            // consumers, and each job goes to exactly one of them.
            let jobs = jobs_rx.clone();
            let results = results_tx.clone();
            thread::spawn(move || {
                let mut handled = 0;
                // Ends once every sender is gone AND the queue is empty.
                for (id, n) in jobs {
                    results.send((id, steps(n))).unwrap();
                    handled += 1;
                }
                handled
            })
        })
        .collect();
    // Keep no spare ends: a forgotten clone would keep a loop waiting for ever.
    drop((jobs_rx, results_tx));
    for id in 0..JOBS {
        jobs_tx.send((id, 1 + id as u64 * 7_919)).unwrap();
    }
    drop(jobs_tx); // closes the queue; the workers drain what is left
    // ANCHOR_END: queue

    // ANCHOR: reassemble
    // Results arrive in the order workers finish: put each in its id's slot.
    let mut slots: Vec<Option<u64>> = vec![None; JOBS];
    let (mut arrived, mut duplicates) = (0, 0);
    for (id, result) in results_rx.iter() {
        arrived += 1;
        if slots[id].replace(result).is_some() {
            duplicates += 1;
        }
    }
    let in_order: Vec<u64> = slots.iter().map(|s| s.expect("a result")).collect();
    // ANCHOR_END: reassemble
    let handled: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    let expected: Vec<u64> = (0..JOBS).map(|id| steps(1 + id as u64 * 7_919)).collect();
    println!("{WORKERS} workers handled {handled} jobs and stopped");
    println!("{arrived} results arrived, {duplicates} duplicates, none missing");
    println!(
        "reassembled by id, equal to a sequential run: {}",
        in_order == expected
    );
    println!("first five in id order: {:?}", &in_order[..5]);
}

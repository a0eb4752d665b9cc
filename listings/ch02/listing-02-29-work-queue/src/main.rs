use crossbeam_channel::unbounded;
use std::thread;

/// Deliberately uneven work: the number of steps the Collatz sequence takes
/// to reach 1 from `n`.
fn collatz_steps(mut n: u64) -> u32 {
    let mut steps = 0;
    while n != 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

fn main() {
    let (job_tx, jobs) = unbounded::<(usize, u64)>();
    let (result_tx, results) = unbounded::<(usize, u32)>();
    // ANCHOR: workers
    let workers: Vec<_> = (0..4)
        .map(|_| {
            // crossbeam's receivers can be cloned: every worker takes from
            // the same queue, and whoever is free takes the next job.
            let (jobs, result_tx) = (jobs.clone(), result_tx.clone());
            thread::spawn(move || {
                for (id, n) in jobs {
                    result_tx.send((id, collatz_steps(n))).unwrap();
                }
            })
        })
        .collect();
    drop(result_tx);
    // ANCHOR_END: workers
    let inputs = [27, 97, 871, 6171, 77031, 837799, 8400511, 63728127];
    for job in inputs.iter().copied().enumerate() {
        job_tx.send(job).unwrap();
    }
    drop(job_tx); // no more jobs: workers end their loops when the queue is empty
    // ANCHOR: collect
    // Results arrive in whatever order the workers finish; the ids put them back.
    let mut steps = vec![0; inputs.len()];
    for (id, s) in results {
        steps[id] = s;
    }
    // ANCHOR_END: collect
    for w in workers {
        w.join().unwrap();
    }
    for (n, s) in inputs.iter().zip(&steps) {
        println!("{n:>9} takes {s:>3} steps");
    }
}

use crossbeam_channel::{Receiver, after, bounded, never, select, tick};
use std::time::Duration;

// ANCHOR: worker
/// Serves `urgent` before `normal` until `deadline` passes or both queues
/// are closed and drained. Returns what it handled and why it stopped.
fn worker(
    mut urgent: Receiver<&'static str>,
    mut normal: Receiver<&'static str>,
    deadline: Duration,
) -> (Vec<&'static str>, u32, &'static str) {
    let deadline = after(deadline); // fires once, at the deadline
    let heartbeat = tick(Duration::from_millis(20)); // fires every 20 ms
    let (mut handled, mut beats, mut open) = (Vec::new(), 0, 2);
    loop {
        // select! picks at random among ready channels: to give urgent
        // work priority, look at its queue first, without waiting.
        if let Ok(job) = urgent.try_recv() {
            handled.push(job);
            continue;
        }
        select! {
            recv(urgent) -> job => match job {
                Ok(job) => handled.push(job),
                // Closed: a closed channel is always ready, so swap it
                // for one that never is.
                Err(_) => (urgent, open) = (never(), open - 1),
            },
            recv(normal) -> job => match job {
                Ok(job) => handled.push(job),
                Err(_) => (normal, open) = (never(), open - 1),
            },
            recv(heartbeat) -> _ => beats += 1,
            recv(deadline) -> _ => return (handled, beats, "deadline passed"),
        }
        if open == 0 {
            return (handled, beats, "both queues closed");
        }
    }
}
// ANCHOR_END: worker

fn main() {
    // ANCHOR: main
    let (urgent_tx, urgent) = bounded(8);
    let (normal_tx, normal) = bounded(8);
    for job in ["n1", "n2", "n3"] {
        normal_tx.send(job).unwrap();
    }
    for job in ["U1", "U2"] {
        urgent_tx.send(job).unwrap();
    }
    // Senders kept alive: the worker waits until the deadline.
    let (done, beats, why) = worker(urgent, normal, Duration::from_millis(150));
    println!("handled {done:?}; {why}; heartbeat ticked: {}", beats > 0);

    drop((urgent_tx, normal_tx)); // with no senders, it stops at once
    let (urgent_tx, urgent) = bounded(8);
    let (normal_tx, normal) = bounded(8);
    normal_tx.send("n1").unwrap();
    urgent_tx.send("U1").unwrap();
    drop((urgent_tx, normal_tx));
    let (done, _, why) = worker(urgent, normal, Duration::from_secs(60));
    println!("handled {done:?}; {why}");
    // ANCHOR_END: main
}

//! Ventilator -> workers -> sink, all threads of one process sharing one
//! context, connected by inproc:// endpoints.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

const TASKS: u64 = 200;
const WORKERS: usize = 4;
const CHUNK: u64 = 5_000;

/// The work: count the primes in `start..start + CHUNK`.
fn count_primes(start: u64) -> u64 {
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    (start..start + CHUNK).filter(|&n| is_prime(n)).count() as u64
}

/// A u64 from the 8 bytes of a frame; anything else is a protocol error.
fn decode(frame: &[u8]) -> zmq::Result<u64> {
    Ok(u64::from_le_bytes(
        frame.try_into().map_err(|_| zmq::Error::EPROTO)?,
    ))
}

// ANCHOR: worker
fn worker(ctx: &zmq::Context, done: &AtomicBool) -> zmq::Result<()> {
    // Each worker makes its own sockets: a socket belongs to one thread.
    let tasks = ctx.socket(zmq::PULL)?;
    tasks.set_rcvtimeo(50)?; // wake now and then to see if the job is done
    tasks.connect("inproc://tasks")?;
    let results = ctx.socket(zmq::PUSH)?;
    results.set_sndtimeo(5000)?;
    results.connect("inproc://results")?;
    while !done.load(Ordering::Relaxed) {
        let task = match tasks.recv_bytes(0) {
            Ok(task) => decode(&task)?,
            Err(zmq::Error::EAGAIN) => continue,
            Err(e) => return Err(e),
        };
        let primes = count_primes(task * CHUNK);
        results.send_multipart([&task.to_le_bytes()[..], &primes.to_le_bytes()[..]], 0)?;
    }
    Ok(())
}
// ANCHOR_END: worker

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: main
    let ctx = zmq::Context::new();
    // Both fixed ends bind; the workers, which come and go, connect.
    let ventilator = ctx.socket(zmq::PUSH)?;
    ventilator.bind("inproc://tasks")?;
    let sink = ctx.socket(zmq::PULL)?;
    sink.set_rcvtimeo(10_000)?;
    sink.bind("inproc://results")?;
    let done = AtomicBool::new(false);

    let (seen, total) = thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| worker(&ctx, &done).expect("worker failed"));
        }
        let collected = (|| {
            for task in 0..TASKS {
                ventilator.send(&task.to_le_bytes()[..], 0)?;
            }
            let (mut seen, mut total) = (vec![0u32; TASKS as usize], 0);
            for _ in 0..TASKS {
                let parts = sink.recv_multipart(0)?; // bounded by the timeout
                let [task, primes] = parts.as_slice() else {
                    return Err(zmq::Error::EPROTO);
                };
                *seen
                    .get_mut(decode(task)? as usize)
                    .ok_or(zmq::Error::EPROTO)? += 1;
                total += decode(primes)?;
            }
            Ok((seen, total))
        })();
        done.store(true, Ordering::Relaxed); // let the workers go, even on error
        collected
    })?;
    // ANCHOR_END: main
    let once = seen.iter().all(|&n| n == 1);
    println!("{WORKERS} workers, {TASKS} tasks: every result arrived exactly once: {once}");
    println!("primes below {}: {total}", TASKS * CHUNK);
    Ok(())
}

//! Runs a broker and two workers on threads, sends them work, crashes one
//! worker in the middle of a task and shows the task finishing elsewhere.
//!
//! Across machines: `--broker FRONTEND BACKEND` runs the broker alone (e.g.
//! `tcp://0.0.0.0:5555 tcp://0.0.0.0:5556`), `--worker BACKEND` a worker and
//! `--client FRONTEND TASK` one request.

use listing_05_24_pirate_broker::{Broker, Heartbeat, Outcome, request, run_worker, serve_task};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use std::{env, process, thread};

const HB: Heartbeat = Heartbeat {
    interval: Duration::from_millis(100),
    liveness: 3,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = env::args().skip(1).collect();
    let ctx = zmq::Context::new();
    let never = AtomicBool::new(false);
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => demo(&ctx),
        ["--broker", front, back] => {
            let broker = Broker::bind(&ctx, front, back, HB)?;
            println!("clients: {}", broker.frontend_endpoint);
            println!("workers: {}", broker.backend_endpoint);
            println!("{:?}", broker.run(&never)?);
            Ok(())
        }
        ["--worker", back] => {
            let name = format!("pid {}", process::id());
            println!("{name} serving {back}");
            run_worker(&ctx, back, HB, &never, |body| {
                println!("working on {}", String::from_utf8_lossy(body));
                Outcome::Answer(serve_task(&name, body))
            })?;
            Ok(())
        }
        ["--client", front, task] => {
            let reply = request(&ctx, front, task.as_bytes(), Duration::from_secs(2), 3)?;
            println!("{}", String::from_utf8_lossy(&reply));
            Ok(())
        }
        _ => Err("usage: [--broker FRONT BACK | --worker BACK | --client FRONT TASK]".into()),
    }
}

fn demo(ctx: &zmq::Context) -> Result<(), Box<dyn std::error::Error>> {
    let front = env::var("BROKER_FRONTEND").unwrap_or("tcp://127.0.0.1:*".into());
    let back = env::var("BROKER_BACKEND").unwrap_or("tcp://127.0.0.1:*".into());
    let broker = Broker::bind(ctx, &front, &back, HB)?;
    let (stop, stop_workers) = (AtomicBool::new(false), AtomicBool::new(false));
    let crashed = AtomicBool::new(false);
    let (front, back) = (
        broker.frontend_endpoint.clone(),
        broker.backend_endpoint.clone(),
    );
    thread::scope(|s| -> Result<(), Box<dyn std::error::Error>> {
        let stop_broker = &stop;
        // The broker's sockets move into its thread (a socket is not Sync).
        let b = s.spawn(move || broker.run(stop_broker));
        let mut workers = Vec::new();
        for name in ["worker-a", "worker-b"] {
            let (back, stop, crashed) = (&back, &stop_workers, &crashed);
            workers.push(s.spawn(move || {
                run_worker(ctx, back, HB, stop, |body| {
                    // The first worker handed "crash" dies holding the task.
                    if body == b"crash" && !crashed.swap(true, Ordering::SeqCst) {
                        return Outcome::Crash;
                    }
                    let body = if body == b"crash" { b"square 7" } else { body };
                    Outcome::Answer(serve_task(name, body))
                })
            }));
        }
        // ANCHOR: demo
        let front = &front;
        let timeout = Duration::from_secs(5);
        for n in 1..=20 {
            let reply = request(ctx, front, format!("square {n}").as_bytes(), timeout, 1)?;
            let reply = String::from_utf8(reply)?;
            let (answer, _worker) = reply.split_once(" by ").ok_or("odd reply")?;
            assert_eq!(answer, (n * n).to_string());
        }
        println!("20 answers correct");

        let start = Instant::now();
        let reply = request(ctx, front, b"crash", timeout, 1)?;
        let waited = start.elapsed();
        println!("a worker crashed holding a task; the answer came anyway:");
        println!("  {}", String::from_utf8(reply)?);
        println!("  after {waited:.0?} (silence allowed: {:?})", HB.expiry());
        // ANCHOR_END: demo
        stop_workers.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().expect("worker thread")?;
        }
        stop.store(true, Ordering::Relaxed);
        let stats = b.join().expect("broker thread")?;
        println!(
            "broker: {} answered, {} worker lost, {} task re-queued, {} malformed",
            stats.answered, stats.workers_lost, stats.requeued, stats.malformed
        );
        Ok(())
    })
}

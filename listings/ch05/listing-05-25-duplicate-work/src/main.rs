//! Listing 5-24's broker (src/lib.rs is a copy of it) with a worker that
//! does its work on the thread that sends its heartbeats. A task longer than
//! the broker's patience makes that worker look dead: the task is re-queued,
//! and it runs twice.

use listing_05_25_duplicate_work::{
    Broker, HEARTBEAT, Heartbeat, Outcome, READY, REPLY, TASK, request, run_worker, serve_task,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const HB: Heartbeat = Heartbeat {
    interval: Duration::from_millis(100),
    liveness: 3,
};

// ANCHOR: naive
fn naive_worker(
    ctx: &zmq::Context,
    back: &str,
    ran: mpsc::Sender<&str>,
    stop: &AtomicBool,
) -> zmq::Result<()> {
    let socket = ctx.socket(zmq::DEALER)?;
    socket.set_linger(0)?;
    socket.connect(back)?;
    socket.send(READY, 0)?;
    while !stop.load(Ordering::Relaxed) {
        if socket.poll(zmq::POLLIN, HB.interval.as_millis() as i64 / 2)? == 0 {
            socket.send(HEARTBEAT, 0)?; // only while idle...
            continue;
        }
        let frames = socket.recv_multipart(0)?;
        if let [kind, id, body] = frames.as_slice()
            && kind.as_slice() == TASK
        {
            // ...because the work runs here, and nothing beats meanwhile.
            let reply = serve_task("naive", body);
            let _ = ran.send("naive");
            socket.send_multipart([REPLY, id, &reply], 0)?;
        }
    }
    Ok(())
}
// ANCHOR_END: naive

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ctx = zmq::Context::new();
    let broker = Broker::bind(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HB)?;
    let (front, back) = (
        broker.frontend_endpoint.clone(),
        broker.backend_endpoint.clone(),
    );
    let (stop, stop_workers) = (AtomicBool::new(false), AtomicBool::new(false));
    let (ran, ran_rx) = mpsc::channel();
    thread::scope(|s| -> Result<(), Box<dyn std::error::Error>> {
        let stop_broker = &stop;
        let b = s.spawn(move || broker.run(stop_broker));
        let (ctx, back, stop_w) = (&ctx, &back, &stop_workers);
        let naive_ran = ran.clone();
        let naive = s.spawn(move || naive_worker(ctx, back, naive_ran, stop_w));
        // While the naive worker is the only one, it answers this one.
        let timeout = Duration::from_secs(5);
        let warm = request(ctx, &front, b"square 3", timeout, 1)?;
        println!("warm-up: {}", String::from_utf8(warm)?);
        ran_rx.recv_timeout(timeout)?; // the warm-up's run
        let careful = s.spawn(move || {
            run_worker(ctx, back, HB, stop_w, |body| {
                let reply = serve_task("careful", body);
                let _ = ran.send("careful");
                Outcome::Answer(reply)
            })
        });
        // ANCHOR: twice
        // The naive worker is first in the idle queue, so it gets the task.
        let reply = request(ctx, &front, b"sleep 600", timeout, 1)?;
        println!("reply: {}", String::from_utf8(reply)?);
        let first = ran_rx.recv_timeout(timeout)?;
        let second = ran_rx.recv_timeout(timeout)?;
        println!("the task ran twice: on {first}, then on {second}");
        // ANCHOR_END: twice
        stop_workers.store(true, Ordering::Relaxed);
        naive.join().expect("naive worker")?;
        careful.join().expect("careful worker")?;
        stop.store(true, Ordering::Relaxed);
        let st = b.join().expect("broker thread")?;
        println!(
            "broker: {} answered, {} task re-queued",
            st.answered, st.requeued
        );
        Ok(())
    })
}

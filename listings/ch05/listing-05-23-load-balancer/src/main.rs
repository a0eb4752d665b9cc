//! The smallest load-balancing broker: a queue of idle workers, a queue of
//! waiting requests, and nothing else. No heartbeats, so a dead worker's
//! request is lost and its client can only time out.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use std::{env, thread};

const MAX_MESSAGE: i64 = 64 * 1024;

fn router(ctx: &zmq::Context, endpoint: &str) -> zmq::Result<(zmq::Socket, String)> {
    let socket = ctx.socket(zmq::ROUTER)?;
    socket.set_maxmsgsize(MAX_MESSAGE)?;
    socket.set_linger(0)?;
    socket.bind(endpoint)?;
    let bound = socket
        .get_last_endpoint()?
        .map_err(|_| zmq::Error::EINVAL)?;
    Ok((socket, bound))
}

// ANCHOR: broker
fn broker(front: zmq::Socket, back: zmq::Socket, stop: &AtomicBool) -> zmq::Result<()> {
    let mut idle: VecDeque<Vec<u8>> = VecDeque::new(); // worker identities
    let mut waiting: VecDeque<Vec<Vec<u8>>> = VecDeque::new(); // client requests
    while !stop.load(Ordering::Relaxed) {
        let mut items = [
            back.as_poll_item(zmq::POLLIN),
            front.as_poll_item(zmq::POLLIN),
        ];
        zmq::poll(&mut items, 50)?;
        if items[0].is_readable() {
            // From a worker: [worker, "READY"] or [worker, client, "", reply].
            let mut frames = back.recv_multipart(0)?;
            let worker = frames.remove(0);
            if frames.len() == 3 {
                front.send_multipart(frames, 0)?; // routed by the client's id
            }
            idle.push_back(worker);
        }
        if items[1].is_readable() {
            // From a REQ client: [client, "", request].
            let request = front.recv_multipart(0)?;
            if request.len() == 3 {
                waiting.push_back(request);
            }
        }
        while !idle.is_empty() && !waiting.is_empty() {
            let worker = idle.pop_front().expect("not empty");
            let mut frames = waiting.pop_front().expect("not empty");
            frames.insert(0, worker);
            back.send_multipart(frames, 0)?;
        }
    }
    Ok(())
}
// ANCHOR_END: broker

// ANCHOR: worker
/// Says READY, then answers tasks; the task `die` makes it vanish.
fn worker(ctx: &zmq::Context, back: &str, name: &str) -> zmq::Result<()> {
    let socket = ctx.socket(zmq::DEALER)?;
    socket.set_linger(0)?;
    socket.connect(back)?;
    socket.send("READY", 0)?;
    loop {
        let [client, empty, task] =
            <[Vec<u8>; 3]>::try_from(socket.recv_multipart(0)?).map_err(|_| zmq::Error::EPROTO)?;
        if task == b"die" {
            return Ok(()); // the socket closes; nobody answers the client
        }
        thread::sleep(Duration::from_millis(20)); // the work
        let reply = format!("{} done by {name}", String::from_utf8_lossy(&task));
        socket.send_multipart([client, empty, reply.into_bytes()], 0)?;
    }
}
// ANCHOR_END: worker

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ctx = zmq::Context::new();
    let front_at = env::args().nth(1).unwrap_or("tcp://127.0.0.1:*".into());
    let back_at = env::args().nth(2).unwrap_or("tcp://127.0.0.1:*".into());
    let (front, front_at) = router(&ctx, &front_at)?;
    let (back, back_at) = router(&ctx, &back_at)?;
    let stop = AtomicBool::new(false);
    thread::scope(|s| -> Result<(), Box<dyn std::error::Error>> {
        let stop = &stop;
        let b = s.spawn(move || broker(front, back, stop));
        let (ctx, back_at) = (&ctx, &back_at);
        let workers: Vec<_> = ["w1", "w2"]
            .map(|name| s.spawn(move || worker(ctx, back_at, name)))
            .into();
        // ANCHOR: clients
        let client = ctx.socket(zmq::REQ)?;
        client.set_rcvtimeo(1000)?;
        client.set_linger(0)?;
        client.connect(&front_at)?;
        let mut per_worker = [0; 2];
        for n in 0..10 {
            client.send(format!("task {n}").as_bytes(), 0)?;
            let reply = client.recv_string(0)?.unwrap_or_default();
            per_worker[usize::from(reply.ends_with("w2"))] += 1;
        }
        println!("10 tasks: {} by w1, {} by w2", per_worker[0], per_worker[1]);
        client.send("die", 0)?;
        match client.recv_string(0) {
            Err(zmq::Error::EAGAIN) => println!("'die': no reply within 1 s, request lost"),
            other => println!("'die': {other:?}"),
        }
        // ANCHOR_END: clients
        // Stop the survivor the same way, then the broker.
        let client = ctx.socket(zmq::REQ)?;
        client.set_linger(0)?;
        client.connect(&front_at)?;
        client.send("die", 0)?;
        for w in workers {
            w.join().expect("worker thread")?;
        }
        stop.store(true, Ordering::Relaxed);
        b.join().expect("broker thread")?;
        Ok(())
    })
}

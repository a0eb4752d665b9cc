//! The broker under load, with a worker killed mid-task, and with bad input.

use listing_05_24_pirate_broker::{
    Broker, HEARTBEAT, Heartbeat, Outcome, READY, REPLY, Stats, TASK, request, run_worker,
    serve_task,
};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

// Generous, so that a worker thread starved by a busy test machine is not
// declared dead by mistake (Section 5.7 measures that trade-off).
const HB: Heartbeat = Heartbeat {
    interval: Duration::from_millis(100),
    liveness: 5,
};

/// A broker and `workers` worker threads; `f` gets the two endpoints.
fn with_broker(workers: usize, f: impl FnOnce(&zmq::Context, &str, &str)) -> Stats {
    let ctx = zmq::Context::new();
    let broker = Broker::bind(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HB).unwrap();
    let (front, back) = (
        broker.frontend_endpoint.clone(),
        broker.backend_endpoint.clone(),
    );
    let (stop, stop_workers) = (AtomicBool::new(false), AtomicBool::new(false));
    thread::scope(|s| {
        let stop_broker = &stop;
        let b = s.spawn(move || broker.run(stop_broker).unwrap());
        let handles: Vec<_> = (0..workers)
            .map(|i| {
                let (ctx, back, stop) = (&ctx, &back, &stop_workers);
                s.spawn(move || {
                    let name = format!("t{i}");
                    run_worker(ctx, back, HB, stop, |b| {
                        Outcome::Answer(serve_task(&name, b))
                    })
                    .unwrap()
                })
            })
            .collect();
        f(&ctx, &front, &back);
        stop_workers.store(true, Ordering::Relaxed);
        for h in handles {
            h.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        b.join().unwrap()
    })
}

fn ok(ctx: &zmq::Context, front: &str) {
    let reply = request(ctx, front, b"square 12", Duration::from_secs(5), 1).unwrap();
    assert!(
        reply.starts_with(b"144 by "),
        "{}",
        String::from_utf8_lossy(&reply)
    );
}

#[test]
fn thousand_concurrent_clients() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 250; // a context holds at most 1023 sockets
    let stats = with_broker(2, |_, front, _| {
        let barrier = Arc::new(Barrier::new(THREADS));
        let answered: usize = thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let barrier = barrier.clone();
                    s.spawn(move || {
                        let ctx = zmq::Context::new();
                        let sockets: Vec<zmq::Socket> = (0..PER_THREAD)
                            .map(|_| {
                                let socket = ctx.socket(zmq::REQ).unwrap();
                                socket.set_linger(0).unwrap();
                                socket.set_rcvtimeo(15_000).unwrap();
                                socket.connect(front).unwrap();
                                socket
                            })
                            .collect();
                        barrier.wait(); // all 1,000 exist before any request
                        for (i, socket) in sockets.iter().enumerate() {
                            socket
                                .send(format!("square {}", t * PER_THREAD + i).as_bytes(), 0)
                                .unwrap();
                        }
                        let mut good = 0;
                        for (i, socket) in sockets.iter().enumerate() {
                            let n = (t * PER_THREAD + i) as u64;
                            let reply = socket.recv_string(0).expect("reply in time").unwrap();
                            assert!(reply.starts_with(&format!("{} by ", n * n)), "{reply}");
                            good += 1;
                        }
                        good
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(answered, THREADS * PER_THREAD);
    });
    assert_eq!(stats.answered, 1_000);
    assert_eq!(stats.malformed, 0);
}

#[test]
fn worker_killed_mid_task_task_is_requeued() {
    let ctx = zmq::Context::new();
    let broker = Broker::bind(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", HB).unwrap();
    let (front, back) = (
        broker.frontend_endpoint.clone(),
        broker.backend_endpoint.clone(),
    );
    let stop = AtomicBool::new(false);
    let stop_worker = AtomicBool::new(false);
    let stats = thread::scope(|s| {
        let stop_broker = &stop;
        let b = s.spawn(move || broker.run(stop_broker).unwrap());
        // Worker A is a separate process so that it can really be killed.
        let mut child = Command::new(env!("CARGO_BIN_EXE_listing-05-24-pirate-broker"))
            .args(["--worker", &back])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (line_tx, line_rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        s.spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = line_tx.send(line);
            }
        });
        // The only worker so far takes the task; wait until it has started.
        let (ctx, front) = (&ctx, &front);
        let client =
            s.spawn(move || request(ctx, front, b"sleep 1500", Duration::from_secs(10), 1));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let line = line_rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("worker A starts the task");
            if line == "working on sleep 1500" {
                break;
            }
        }
        child.kill().unwrap(); // SIGKILL: no goodbye to the broker
        child.wait().unwrap();
        let (back, stop_worker) = (&back, &stop_worker);
        let w = s.spawn(move || {
            run_worker(ctx, back, HB, stop_worker, |b| {
                Outcome::Answer(serve_task("B", b))
            })
            .unwrap()
        });
        let reply = client.join().unwrap().expect("answered by worker B");
        assert_eq!(reply, b"slept by B");
        stop_worker.store(true, Ordering::Relaxed);
        assert_eq!(w.join().unwrap(), 1);
        stop.store(true, Ordering::Relaxed);
        b.join().unwrap()
    });
    assert_eq!(stats.workers_lost, 1);
    assert_eq!(stats.requeued, 1);
    assert_eq!(stats.answered, 1);
}

#[test]
fn malformed_messages_are_counted_and_dropped() {
    // No worker threads: `fake` is the only worker, so the broker hands it
    // the task only after reading everything `fake` sent before READY, and
    // answers `client` only after reading its earlier messages: the counts
    // are complete without any waiting.
    let stats = with_broker(0, |ctx, front, back| {
        let client = ctx.socket(zmq::DEALER).unwrap();
        client.set_linger(0).unwrap();
        client.set_rcvtimeo(5_000).unwrap();
        client.connect(front).unwrap();
        client.send("no delimiter", 0).unwrap(); // [id, body]: 2 frames
        client.send_multipart(["", "a", "b"], 0).unwrap(); // 4 frames
        client.send_multipart(["x", "body"], 0).unwrap(); // delimiter not empty
        let fake = ctx.socket(zmq::DEALER).unwrap();
        fake.set_linger(0).unwrap();
        fake.set_rcvtimeo(5_000).unwrap();
        fake.connect(back).unwrap();
        fake.send("BOGUS", 0).unwrap();
        fake.send_multipart(["REPLY", "short", "x"], 0).unwrap(); // id not 8 bytes
        let many: Vec<&str> = vec!["x"; 1000];
        fake.send_multipart(many, 0).unwrap(); // 1,000 frames, 4 kept
        fake.send(READY, 0).unwrap();
        client.send_multipart(["", "square 12"], 0).unwrap(); // well formed
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "no task for the fake worker");
            let frames = fake.recv_multipart(0).expect("a message in time");
            match &frames[..] {
                [kind] if kind == HEARTBEAT => fake.send(HEARTBEAT, 0).unwrap(),
                [kind, id, body] if kind == TASK => {
                    assert_eq!(body, b"square 12");
                    fake.send_multipart([REPLY, id, b"144 by fake"], 0).unwrap();
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        // The first message back is the answer: no reply to a malformed
        // message (it would have come first, on the same connection).
        let reply = client.recv_multipart(0).expect("the answer in time");
        assert_eq!(reply, [&b""[..], b"144 by fake"]);
    });
    assert_eq!(stats.malformed, 6);
    assert_eq!(stats.answered, 1);
}

#[test]
fn oversized_and_truncated_input_is_refused() {
    let stats = with_broker(1, |ctx, front, back| {
        for endpoint in [front, back] {
            let big = ctx.socket(zmq::DEALER).unwrap();
            big.set_linger(0).unwrap();
            big.connect(endpoint).unwrap();
            let payload = vec![b'x'; 1 << 20]; // 1 MiB > MAX_MESSAGE
            big.send_multipart([&b""[..], &payload], 0).unwrap();
            assert_eq!(big.poll(zmq::POLLIN, 200).unwrap(), 0, "refused, no reply");
        }
        // A peer that dies in the middle of the handshake.
        let port = front.rsplit(':').next().unwrap();
        let mut raw = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        raw.write_all(&[0xff, 0, 0, 0]).unwrap();
        drop(raw);
        ok(ctx, front);
    });
    assert_eq!(stats.answered, 1);
}

#[test]
fn client_gives_up_on_a_dead_broker() {
    let ctx = zmq::Context::new();
    // Nothing listens on this endpoint once the socket is closed.
    let endpoint = {
        let s = ctx.socket(zmq::ROUTER).unwrap();
        s.bind("tcp://127.0.0.1:*").unwrap();
        s.get_last_endpoint().unwrap().unwrap()
    };
    let err = request(&ctx, &endpoint, b"square 2", Duration::from_millis(100), 3).unwrap_err();
    // Bounded by the three timeouts of 100 ms: no wait for ever.
    assert_eq!(err.to_string(), "no reply after 3 attempts");
}

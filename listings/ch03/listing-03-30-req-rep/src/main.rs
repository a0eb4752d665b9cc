//! Runs the server on a thread and talks to it: good and bad requests, the
//! REQ socket's lockstep, and a client whose server has gone.

use listing_03_30_req_rep::{Client, bind, serve};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use std::{env, thread};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The endpoint: first argument, else $REQREP_ENDPOINT, else a free port.
    let endpoint = env::args()
        .nth(1)
        .or_else(|| env::var("REQREP_ENDPOINT").ok())
        .unwrap_or_else(|| "tcp://127.0.0.1:*".to_string());
    let ctx = zmq::Context::new();
    let (server, bound) = bind(&ctx, &endpoint)?;
    println!("server bound to {bound}");

    let stop = AtomicBool::new(false);
    thread::scope(|s| -> Result<(), Box<dyn std::error::Error>> {
        let stop = &stop;
        // The socket moves into the server thread and is closed when it ends.
        let server = s.spawn(move || serve(&server, stop));

        // ANCHOR: requests
        let mut client = Client::connect(&ctx, &bound, Duration::from_secs(5))?;
        let requests: [&[u8]; 6] = [
            b"ping",
            b"upper zeromq",
            b"add 2 40",
            b"add 1 x",
            b"launch",
            b"\xff\xfe",
        ];
        for request in requests {
            let reply = client.request(request)?;
            println!("{:<14} -> {reply}", request.escape_ascii().to_string());
        }
        // ANCHOR_END: requests

        // ANCHOR: lockstep
        let req = ctx.socket(zmq::REQ)?;
        req.set_rcvtimeo(5000)?;
        req.connect(&bound)?;
        req.send("ping", 0)?;
        match req.send("ping", 0) {
            Err(zmq::Error::EFSM) => println!("second send before a recv: EFSM"),
            other => println!("second send: {other:?}"),
        }
        let reply = req.recv_string(0)?.unwrap_or_default();
        println!("after the recv ({reply}) the socket may send again");
        // ANCHOR_END: lockstep

        stop.store(true, Ordering::Relaxed);
        let answered = server.join().expect("server thread panicked")?;
        println!("server stopped after answering {answered} requests");

        // ANCHOR: dead
        let mut client = Client::connect(&ctx, &bound, Duration::from_millis(200))?;
        match client.request_retrying(b"ping", 3) {
            Ok(reply) => println!("unexpected reply {reply}"),
            Err(e) => println!("3 attempts, each bounded by a timeout: {e}; giving up"),
        }
        // ANCHOR_END: dead
        Ok(())
    })?;
    Ok(())
}

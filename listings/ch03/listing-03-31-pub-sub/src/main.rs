//! A publisher and a subscriber over TCP. Early messages go nowhere; after a
//! handshake on a second socket, every subscribed message arrives.

use std::thread;
use std::time::{Duration, Instant};

const N: u32 = 1000;

// ANCHOR: subscriber
fn subscriber(ctx: zmq::Context, data: String, sync: String) -> zmq::Result<()> {
    let sub = ctx.socket(zmq::SUB)?;
    sub.set_rcvtimeo(5000)?; // every wait bounded
    sub.set_rcvhwm(0)?; // no limit: Listing 3-33 shows what a limit does
    sub.connect(&data)?;
    sub.set_subscribe(b"a")?; // a prefix: matches "a" and "ab", not "b"
    sub.set_subscribe(b"hello")?;
    let ready = ctx.socket(zmq::PUSH)?;
    ready.set_sndtimeo(5000)?;
    ready.connect(&sync)?;

    let (mut early, mut per_topic) = (0, std::collections::BTreeMap::new());
    let mut confirmed = false;
    loop {
        let [topic, body] =
            <[Vec<u8>; 2]>::try_from(sub.recv_multipart(0)?).map_err(|_| zmq::Error::EPROTO)?;
        match (&topic[..], &body[..]) {
            (b"hello", _) if !confirmed => {
                ready.send("ready", 0)?; // the subscription has taken effect
                confirmed = true;
            }
            (b"hello", _) => {} // hellos still in flight
            (b"a", b"end") => break,
            (b"a", body) if body.starts_with(b"early") => early += 1,
            (topic, _) => *per_topic.entry(topic.to_vec()).or_insert(0) += 1,
        }
    }
    println!("before the handshake: {early} of the 1000 early messages arrived");
    for topic in [&b"a"[..], b"ab", b"b"] {
        let got = per_topic.get(topic).copied().unwrap_or(0);
        println!(
            "topic {:>2}: {got} of {N} received",
            topic.escape_ascii().to_string()
        );
    }
    Ok(())
}
// ANCHOR_END: subscriber

// ANCHOR: publisher
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ctx = zmq::Context::new();
    let publisher = ctx.socket(zmq::PUB)?;
    publisher.set_sndhwm(0)?;
    publisher.bind("tcp://127.0.0.1:*")?;
    let data = publisher.get_last_endpoint()?.map_err(|_| "endpoint")?;
    let sync = ctx.socket(zmq::PULL)?;
    sync.bind("tcp://127.0.0.1:*")?;
    let sync_at = sync.get_last_endpoint()?.map_err(|_| "endpoint")?;

    let child = {
        let ctx = ctx.clone();
        thread::spawn(move || subscriber(ctx, data, sync_at))
    };
    // Published before anyone has subscribed: dropped by the publisher.
    for i in 0..N {
        publisher.send_multipart([&b"a"[..], format!("early {i}").as_bytes()], 0)?;
    }
    // The slow-joiner fix: say hello until the subscriber says it hears us.
    let deadline = Instant::now() + Duration::from_secs(10);
    while sync.poll(zmq::POLLIN, 10)? == 0 {
        if Instant::now() > deadline {
            return Err("the subscriber never confirmed".into());
        }
        publisher.send_multipart(["hello", ""], 0)?;
    }
    sync.recv_bytes(0)?;
    for topic in ["a", "ab", "b"] {
        for i in 0..N {
            publisher.send_multipart([topic, &i.to_string()], 0)?;
        }
    }
    publisher.send_multipart(["a", "end"], 0)?;
    child.join().expect("subscriber panicked")?;
    Ok(())
}
// ANCHOR_END: publisher

//! What a full queue does: PUSH blocks (or says EAGAIN), PUB drops.

use std::time::{Duration, Instant};

const HWM: i32 = 10;

/// Sends 4 KiB messages with DONTWAIT until the socket refuses for `patience`; returns how
/// many messages it accepted.
fn fill(push: &zmq::Socket, patience: Duration) -> zmq::Result<usize> {
    let (mut sent, mut refused_since) = (0, None);
    loop {
        match push.send(&[0u8; 4096][..], zmq::DONTWAIT) {
            Ok(()) => (sent, refused_since) = (sent + 1, None),
            // Full for now; over TCP the I/O thread may still drain the queue.
            Err(zmq::Error::EAGAIN) => match refused_since {
                None => refused_since = Some(Instant::now()),
                Some(t) if t.elapsed() > patience => return Ok(sent),
                Some(_) => std::thread::sleep(Duration::from_millis(1)),
            },
            Err(e) => return Err(e),
        }
    }
}

fn main() -> zmq::Result<()> {
    let ctx = zmq::Context::new();
    let patience = Duration::from_millis(200);

    // ANCHOR: push
    // PUSH connected to an endpoint nobody has bound yet: one queue, SNDHWM.
    let push = ctx.socket(zmq::PUSH)?;
    push.set_sndhwm(HWM)?;
    push.set_linger(0)?; // else the context's drop waits for ever to deliver
    push.connect("inproc://nobody")?;
    println!(
        "PUSH, no reader yet:    EAGAIN after {} messages",
        fill(&push, patience)?
    );

    // A PULL that never reads, over inproc: the sender's and receiver's
    // queues are one pipe of SNDHWM + RCVHWM.
    let (push, pull) = (ctx.socket(zmq::PUSH)?, ctx.socket(zmq::PULL)?);
    push.set_sndhwm(HWM)?;
    push.set_linger(0)?;
    pull.set_rcvhwm(HWM)?;
    pull.bind("inproc://idle")?;
    push.connect("inproc://idle")?;
    println!(
        "PUSH, idle inproc PULL: EAGAIN after {} messages",
        fill(&push, patience)?
    );

    // Over TCP the kernel's socket buffers hold thousands more.
    let (push, pull) = (ctx.socket(zmq::PUSH)?, ctx.socket(zmq::PULL)?);
    push.set_sndhwm(HWM)?;
    push.set_linger(0)?;
    pull.set_rcvhwm(HWM)?;
    pull.bind("tcp://127.0.0.1:*")?;
    push.connect(&pull.get_last_endpoint()?.map_err(|_| zmq::Error::EINVAL)?)?;
    let sent = fill(&push, patience)?;
    let beyond = sent > 2 * HWM as usize;
    println!("PUSH, idle TCP PULL:    EAGAIN after {sent} messages; more than 2 x HWM: {beyond}");
    // ANCHOR_END: push

    // ANCHOR: pub
    let (publisher, sub) = (ctx.socket(zmq::PUB)?, ctx.socket(zmq::SUB)?);
    publisher.set_sndhwm(HWM)?;
    sub.set_rcvhwm(HWM)?;
    publisher.bind("inproc://news")?;
    sub.connect("inproc://news")?;
    sub.set_subscribe(b"")?;
    // Wait until the subscription has reached the publisher.
    let deadline = Instant::now() + Duration::from_secs(5);
    while sub.recv_bytes(zmq::DONTWAIT).is_err() && Instant::now() < deadline {
        publisher.send("hello", 0)?;
    }
    while sub.recv_bytes(zmq::DONTWAIT).is_ok() {} // discard the other hellos

    let mut refused = 0;
    for i in 0..1000u32 {
        // The subscriber reads nothing meanwhile: it is the slow one.
        if publisher.send(&i.to_le_bytes()[..], zmq::DONTWAIT).is_err() {
            refused += 1;
        }
    }
    let mut got = Vec::new();
    while let Ok(m) = sub.recv_bytes(zmq::DONTWAIT) {
        got.push(u32::from_le_bytes(
            m.try_into().map_err(|_| zmq::Error::EPROTO)?,
        ));
    }
    let prefix = got.iter().enumerate().all(|(i, &m)| m == i as u32);
    let bounded = got.len() <= 2 * HWM as usize;
    println!("PUB: 1000 sends, {refused} refused");
    println!(
        "slow subscriber received {} of 1000; at most 2 x HWM: {bounded}",
        got.len()
    );
    println!("it got messages 0, 1, 2, ... in order: {prefix}; the newest were dropped");
    // ANCHOR_END: pub
    Ok(())
}

//! Two tasks play ping-pong over a socket pair while `idle` other tasks wait
//! on sockets that never become readable. Every round trip goes through the
//! OS's I/O check, which hands the kernel the whole wait set.

use listing_07_19_idle_sweep::{Os, read_wait, write_wait};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Instant;

/// Reads one byte, waiting in the OS as long as needed.
async fn recv(s: &mut UnixStream) -> bool {
    let mut b = [0u8];
    loop {
        read_wait(s).await;
        match s.read(&mut b) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            other => return matches!(other, Ok(1)),
        }
    }
}

async fn send(s: &mut UnixStream) -> bool {
    write_wait(s).await;
    s.write(b"!").is_ok_and(|n| n == 1)
}

// ANCHOR: sweep
/// Round trips per second between two tasks, beside `idle` waiting tasks.
fn round_trips_per_second(idle: usize, trips: u32) -> std::io::Result<f64> {
    let mut os = Os::new();
    let mut keep = Vec::new(); // the idle sockets' other ends, kept open
    for _ in 0..idle {
        let (a, b) = UnixStream::pair()?;
        a.set_nonblocking(true)?;
        keep.push(b);
        os.spawn(async move { read_wait(&a).await }); // never readable
    }
    let (mut ping, mut pong) = UnixStream::pair()?;
    ping.set_nonblocking(true)?;
    pong.set_nonblocking(true)?;
    os.spawn(async move { while recv(&mut pong).await && send(&mut pong).await {} });
    let start = Instant::now();
    os.spawn(async move {
        for _ in 0..trips {
            if !(send(&mut ping).await && recv(&mut ping).await) {
                break;
            }
        }
        drop(keep); // the idle tasks' sockets hang up: they end too
    });
    os.run();
    Ok(f64::from(trips) / start.elapsed().as_secs_f64())
}
// ANCHOR_END: sweep

fn main() -> std::io::Result<()> {
    let alone = round_trips_per_second(0, 10_000)?;
    let mut worst = 1.0;
    for idle in [10, 100, 1_000, 2_000] {
        let rate = round_trips_per_second(idle, (10_000 / idle as u32).max(100))?;
        worst = alone / rate;
        println!("{idle:>5} idle sockets: round trips {worst:.1}x slower");
    }
    println!("2,000 idle sockets cost over 5x: {}", worst > 5.0);
    Ok(())
}

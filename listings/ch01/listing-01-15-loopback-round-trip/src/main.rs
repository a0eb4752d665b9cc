// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: round_trips
/// Sends one byte to an echo thread and waits for it to come back, `rounds`
/// times, over 127.0.0.1. Returns the time per round trip.
pub fn round_trips(rounds: u32) -> std::io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?; // any free port, loopback only
    // Connect first: the kernel completes the handshake into the listener's
    // backlog, so the `accept` below returns at once instead of waiting.
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (conn, _) = listener.accept()?;
    let echo = thread::spawn(move || echo(conn));

    client.set_nodelay(true)?; // send each byte at once (see the text on Nagle)
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut byte = [0u8; 1];
    let start = Instant::now();
    for _ in 0..rounds {
        client.write_all(&[42])?;
        client.read_exact(&mut byte)?;
    }
    let elapsed = start.elapsed();
    drop(client); // the echo thread reads end-of-stream and returns
    echo.join().expect("the echo thread panicked")?;
    Ok(elapsed / rounds)
}

/// Echoes single bytes until the peer hangs up. A one-byte buffer caps every
/// message, and a peer silent for ten seconds is given up on.
fn echo(mut conn: TcpStream) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut byte = [0u8; 1];
    while conn.read(&mut byte)? == 1 {
        conn.write_all(&byte)?;
    }
    Ok(())
}
// ANCHOR_END: round_trips

fn main() -> std::io::Result<()> {
    round_trips(1_000)?; // warm up
    let rtt = round_trips(20_000)?;
    println!("loopback TCP round trip: {rtt:.1?}");
    println!(
        "that is {:.0} round trips/s on one connection",
        1.0 / rtt.as_secs_f64()
    );
    Ok(())
}

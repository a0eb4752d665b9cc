use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: round_trips
/// Sends one byte to an echo thread and waits for it to come back, `rounds`
/// times, over 127.0.0.1. Returns the time per round trip.
pub fn round_trips(rounds: u32) -> std::io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?; // any free port, loopback only
    let addr = listener.local_addr()?;
    let echo = thread::spawn(move || -> std::io::Result<()> {
        let (mut conn, _) = listener.accept()?;
        conn.set_nodelay(true)?;
        conn.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut byte = [0u8; 1];
        // A one-byte buffer caps every message; 0 bytes read means the client hung up.
        while conn.read(&mut byte)? == 1 {
            conn.write_all(&byte)?;
        }
        Ok(())
    });

    let mut client = TcpStream::connect(addr)?;
    client.set_nodelay(true)?; // send each byte now, without waiting to batch (Nagle)
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut byte = [0u8; 1];
    let start = Instant::now();
    for _ in 0..rounds {
        client.write_all(&[42])?;
        client.read_exact(&mut byte)?;
    }
    let elapsed = start.elapsed();
    drop(client);
    echo.join().expect("the echo thread panicked")?;
    Ok(elapsed / rounds)
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

//! Starts the mio echo server on 127.0.0.1:0 (or the address in the first
//! argument or `ECHO_ADDR`), runs three clients against it and prints what
//! came back. `--serve ADDR` runs the server alone.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let serve_only = args.first().is_some_and(|a| a == "--serve");
    if serve_only {
        args.remove(0);
    }
    let addr = args
        .first()
        .cloned()
        .or_else(|| std::env::var("ECHO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr)?;
    let local = listener.local_addr()?;
    if serve_only {
        eprintln!("echo server on {local}");
        return listing_06_10_mio_echo::serve(listener);
    }
    // The server runs until the process exits.
    std::thread::spawn(move || listing_06_10_mio_echo::serve(listener));

    let mut clients = Vec::new();
    for i in 0..3 {
        let s = TcpStream::connect(local)?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        clients.push((i, s));
    }
    // Interleave the clients: one thread serves them all.
    for round in 0..2 {
        for (i, s) in &mut clients {
            let msg = format!("client {i} says hello #{round}");
            s.write_all(msg.as_bytes())?;
            let mut back = vec![0u8; msg.len()];
            s.read_exact(&mut back)?;
            println!("{}", String::from_utf8_lossy(&back));
        }
    }
    let big = vec![b'x'; 1 << 20];
    let (_, s) = &mut clients[0];
    let mut reader = s.try_clone()?;
    let writer = std::thread::spawn({
        let mut s = s.try_clone()?;
        move || s.write_all(&big)
    });
    let mut back = vec![0u8; 1 << 20];
    reader.read_exact(&mut back)?;
    writer.join().expect("writer thread")?;
    let intact = back.iter().all(|&b| b == b'x');
    println!("1 MiB echoed intact: {intact}");
    Ok(())
}

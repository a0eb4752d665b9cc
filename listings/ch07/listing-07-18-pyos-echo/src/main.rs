//! Runs the echo server on the tiny OS in a thread and talks to it from
//! ten client threads. `--serve ADDR` runs the server alone (stop: Ctrl-C).

use listing_07_18_pyos_echo::serve;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, addr] = args.as_slice()
        && flag == "--serve"
    {
        let listener = TcpListener::bind(addr)?;
        println!("echo server on the tiny OS at {}", listener.local_addr()?);
        let (_keep, stop) = UnixStream::pair()?;
        serve(listener, stop)?;
        return Ok(());
    }

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = UnixStream::pair()?;
    let server = thread::spawn(move || serve(listener, stop_rx));

    let clients: Vec<_> = (0..10)
        .map(|i| {
            thread::spawn(move || -> std::io::Result<bool> {
                let mut s = TcpStream::connect(addr)?;
                s.set_read_timeout(Some(Duration::from_secs(10)))?;
                let mut ok = true;
                for round in 0..100 {
                    let msg = format!("client {i} round {round:>3}\n");
                    s.write_all(msg.as_bytes())?;
                    let mut back = vec![0; msg.len()];
                    s.read_exact(&mut back)?;
                    ok &= back == msg.as_bytes();
                }
                Ok(ok)
            })
        })
        .collect();
    let intact = clients
        .into_iter()
        .filter_map(|c| c.join().ok()?.ok())
        .filter(|&intact| intact)
        .count();
    println!("{intact} of 10 clients got all 100 echoes back intact");

    drop(stop_tx); // the stop task wakes, kills the accept loop
    let stats = server.join().expect("server thread")?;
    println!(
        "server: {} clients, {} bytes echoed, {} errors",
        stats.clients, stats.bytes, stats.errors
    );
    println!("the OS stopped with {} tasks left", stats.os.deadlocked);
    Ok(())
}

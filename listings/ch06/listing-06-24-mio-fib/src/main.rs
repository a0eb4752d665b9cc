//! Runs the Fibonacci server on a background thread and shows two clients:
//! one sending good and bad requests, and a short request racing a long one.
//! `--serve ADDR` (or `FIB_ADDR`) serves alone instead, for `nc` or Listing 6-27.

use listing_06_24_mio_fib::serve;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

fn ask(stream: &mut TcpStream, reader: &mut impl BufRead, line: &str) -> std::io::Result<String> {
    stream.write_all(format!("{line}\n").as_bytes())?;
    let mut reply = String::new();
    reader.read_line(&mut reply)?;
    Ok(reply.trim_end().to_string())
}

fn connect(addr: SocketAddr) -> std::io::Result<(TcpStream, BufReader<TcpStream>)> {
    let s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.set_nodelay(true)?;
    let r = BufReader::new(s.try_clone()?);
    Ok((s, r))
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        let addr = args
            .get(2)
            .cloned()
            .or_else(|| std::env::var("FIB_ADDR").ok());
        let listener = TcpListener::bind(addr.as_deref().unwrap_or("127.0.0.1:25000"))?;
        println!("serving on {}", listener.local_addr()?);
        return serve(listener);
    }
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || serve(listener));
    println!("one-thread mio event loop on {addr}");

    let (mut s, mut r) = connect(addr)?;
    for req in ["10", "30", " 7 ", "abc", "99", "-1"] {
        println!("{req:>5} -> {}", ask(&mut s, &mut r, req)?);
    }

    // A long request on one connection; meanwhile fib(1) in a loop on another.
    let (mut short, mut short_r) = connect(addr)?;
    let long_done = Arc::new(AtomicBool::new(false));
    let (sent_tx, sent_rx) = mpsc::channel();
    let flag = Arc::clone(&long_done);
    let long = std::thread::spawn(move || -> std::io::Result<(String, Duration)> {
        let (mut s, mut r) = connect(addr)?;
        ask(&mut s, &mut r, "0")?; // accepted and served before the long one
        let start = Instant::now();
        s.write_all(b"35\n")?;
        sent_tx.send(()).ok();
        let mut reply = String::new();
        r.read_line(&mut reply)?;
        flag.store(true, Ordering::SeqCst);
        Ok((reply.trim_end().to_string(), start.elapsed()))
    });
    sent_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("long request sent");
    let mut worst = Duration::ZERO;
    while !long_done.load(Ordering::SeqCst) {
        let start = Instant::now();
        ask(&mut short, &mut short_r, "1")?;
        worst = worst.max(start.elapsed());
    }
    let (reply, took) = long.join().expect("long client")?;
    println!("fib(35) -> {reply} in {:.1} ms", took.as_secs_f64() * 1e3);
    // Stalled: some fib(1) had to wait for most of the long request.
    let verdict = if worst * 2 >= took {
        "stalled"
    } else {
        "kept being answered"
    };
    println!(
        "meanwhile fib(1) on another connection {verdict}; longest wait {:.1} ms",
        worst.as_secs_f64() * 1e3
    );
    Ok(())
}

//! Runs perf1 and perf2 against a Fibonacci server: the address in the first
//! argument or `FIB_ADDR` (for example a server of Listings 6-22 to 6-26
//! started with `--serve`), or, by default, a small thread-per-connection
//! server started here.

use listing_06_27_fib_load::{median, perf1, perf2, with_long_requests};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// Beazley's long request is fib(30), a fraction of a second in CPython.
/// Compiled Rust needs fib(32) for a request of several milliseconds: long
/// enough to see, short enough to repeat many times.
const LONG: u32 = 32;

fn main() -> std::io::Result<()> {
    let addr: SocketAddr = match std::env::args()
        .nth(1)
        .or_else(|| std::env::var("FIB_ADDR").ok())
    {
        Some(a) => a.parse().map_err(std::io::Error::other)?,
        None => stand_in_server()?,
    };
    println!("load against {addr}");
    let window = Duration::from_millis(500);
    // ANCHOR: main
    let alone = perf2(addr, window)?;
    let busy = with_long_requests(addr, LONG, || perf2(addr, window))??;
    println!("perf2: fib(1) alone {alone:.0} requests/s");
    println!("perf2: fib(1) beside fib({LONG}) {busy:.0} requests/s");
    println!("perf2: slowdown {:.1}x", alone / busy);
    for clients in [1, 2, 4] {
        let times = perf1(addr, LONG, clients, window)?;
        let ms = median(&times).as_secs_f64() * 1e3;
        println!("perf1: fib({LONG}), {clients} client(s): median {ms:.2} ms");
    }
    // ANCHOR_END: main
    Ok(())
}

/// A minimal thread-per-connection Fibonacci server (Listing 6-22's idea, no
/// limits), so that this listing runs on its own.
fn stand_in_server() -> std::io::Result<SocketAddr> {
    fn fib(n: u32) -> u64 {
        if n < 2 {
            n.into()
        } else {
            fib(n - 1) + fib(n - 2)
        }
    }
    fn handle(stream: TcpStream) -> std::io::Result<()> {
        let mut out = stream.try_clone()?;
        for line in BufReader::new(stream).lines() {
            let reply = match line?.trim().parse::<u32>() {
                Ok(n) if n <= 40 => format!("{}\n", fib(n)),
                _ => "ERR bad request\n".to_string(),
            };
            out.write_all(reply.as_bytes())?;
        }
        Ok(())
    }
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || handle(stream));
        }
    });
    Ok(addr)
}

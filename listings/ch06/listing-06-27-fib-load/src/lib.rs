//! A load client for the Fibonacci servers of Listings 6-22 to 6-26, with
//! David Beazley's two measurements: `perf1` (how long a long request takes)
//! and `perf2` (how many short requests per second get through).

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// One connection to a Fibonacci server.
pub struct Client {
    out: TcpStream,
    input: BufReader<TcpStream>,
    line: String,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> io::Result<Client> {
        let out = TcpStream::connect(addr)?;
        out.set_nodelay(true)?;
        // A stalled server is the thing measured, but never wait for ever.
        out.set_read_timeout(Some(Duration::from_secs(30)))?;
        let input = BufReader::new(out.try_clone()?);
        Ok(Client {
            out,
            input,
            line: String::new(),
        })
    }

    /// Sends `n`, waits for `fib(n)`.
    pub fn fib(&mut self, n: u32) -> io::Result<u64> {
        self.out.write_all(format!("{n}\n").as_bytes())?;
        self.line.clear();
        if self.input.read_line(&mut self.line)? == 0 {
            return Err(io::Error::other("server closed the connection"));
        }
        self.line
            .trim()
            .parse()
            .map_err(|_| io::Error::other(self.line.clone()))
    }
}

// ANCHOR: perf
/// perf2: fib(1) in a tight loop on one connection for `window`;
/// returns requests per second.
pub fn perf2(addr: SocketAddr, window: Duration) -> io::Result<f64> {
    let mut client = Client::connect(addr)?;
    let (start, mut done) = (Instant::now(), 0u64);
    while start.elapsed() < window {
        client.fib(1)?;
        done += 1;
    }
    Ok(done as f64 / start.elapsed().as_secs_f64())
}

/// perf1: `clients` connections, each asking fib(`n`) again and again for
/// `window`; returns the latency of every request.
pub fn perf1(
    addr: SocketAddr,
    n: u32,
    clients: usize,
    window: Duration,
) -> io::Result<Vec<Duration>> {
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            thread::spawn(move || -> io::Result<Vec<Duration>> {
                let mut client = Client::connect(addr)?;
                let (start, mut times) = (Instant::now(), Vec::new());
                while start.elapsed() < window {
                    let t = Instant::now();
                    client.fib(n)?;
                    times.push(t.elapsed());
                }
                Ok(times)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in threads {
        all.extend(
            t.join()
                .map_err(|_| io::Error::other("client panicked"))??,
        );
    }
    all.sort();
    Ok(all)
}

/// Runs `f` while another connection keeps fib(`n`) requests going (the
/// "long request in another window" of Beazley's demo).
pub fn with_long_requests<T>(addr: SocketAddr, n: u32, f: impl FnOnce() -> T) -> io::Result<T> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut client = Client::connect(addr)?;
    client.fib(0)?; // connected and served before `f` starts
    let flag = Arc::clone(&stop);
    let long = thread::spawn(move || -> io::Result<()> {
        while !flag.load(Ordering::Relaxed) {
            client.fib(n)?;
        }
        Ok(())
    });
    let result = f();
    stop.store(true, Ordering::Relaxed);
    long.join()
        .map_err(|_| io::Error::other("long client panicked"))??;
    Ok(result)
}
// ANCHOR_END: perf

/// The median of sorted durations.
pub fn median(sorted: &[Duration]) -> Duration {
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

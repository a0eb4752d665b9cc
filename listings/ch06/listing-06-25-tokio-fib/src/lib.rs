//! The Fibonacci server on tokio, a task per connection, `fib` computed inside
//! the task. On a current-thread runtime this is the event loop of Listing
//! 6-24 again, stall included; a multi-thread runtime only widens the stall.

use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Runtime};

/// Largest `n` served: fib(40) already keeps a core busy for a good while.
pub const MAX_N: u32 = 40;
/// Longest request line, newline included; a number needs far less.
pub const MAX_LINE: usize = 16;

/// Deliberately slow (exponential): the server's stand-in for CPU work.
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        n.into()
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Parses one request line (without its newline) into `n`, or an error reply.
pub fn parse(line: &[u8]) -> Result<u32, &'static str> {
    let text = std::str::from_utf8(line).map_err(|_| "ERR not a number")?;
    let n: u32 = text.trim().parse().map_err(|_| "ERR not a number")?;
    if n > MAX_N {
        return Err("ERR n too large (max 40)");
    }
    Ok(n)
}

// ANCHOR: handle
/// Serves one connection until the client leaves.
pub async fn handle(stream: TcpStream) -> io::Result<()> {
    let (input, mut out) = stream.into_split();
    let mut input = BufReader::new(input);
    let mut line = Vec::with_capacity(MAX_LINE);
    loop {
        line.clear();
        let got = (&mut input)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if got == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') {
            if line.len() >= MAX_LINE {
                out.write_all(b"ERR line too long\n").await?;
                out.shutdown().await?;
                // Drop a bounded amount of input so the close is not a reset.
                let (mut rest, mut sink) = (input.take(64 * 1024), tokio::io::sink());
                let drain = tokio::io::copy(&mut rest, &mut sink);
                let _ = tokio::time::timeout(Duration::from_millis(200), drain).await;
            }
            return Ok(());
        }
        // ANCHOR: inline
        let reply = match parse(&line[..line.len() - 1]) {
            // No .await inside fib: this task keeps the runtime thread until
            // it returns, and every other task on that thread waits.
            Ok(n) => format!("{}\n", fib(n)),
            Err(e) => format!("{e}\n"),
        };
        // ANCHOR_END: inline
        out.write_all(reply.as_bytes()).await?;
    }
}
// ANCHOR_END: handle

/// Accepts for ever, a task per connection.
pub async fn accept_loop(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(handle(stream));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Serves on a current-thread runtime: one thread for every connection.
pub fn serve(listener: std::net::TcpListener) -> io::Result<()> {
    run(
        Builder::new_current_thread().enable_all().build()?,
        listener,
    )
}

/// Serves on a multi-thread runtime with `workers` threads.
pub fn serve_multi_thread(listener: std::net::TcpListener, workers: usize) -> io::Result<()> {
    let rt = Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    run(rt, listener)
}

fn run(rt: Runtime, listener: std::net::TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    rt.block_on(async {
        accept_loop(TcpListener::from_std(listener)?).await;
        Ok(())
    })
}

//! The Fibonacci server on tokio with `fib` moved off the runtime: each
//! computation runs on tokio's blocking-thread pool (`spawn_blocking`) and the
//! task awaits its result, so the runtime thread keeps serving sockets.

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
        // ANCHOR: offload
        let reply = match parse(&line[..line.len() - 1]) {
            // The task waits without holding the thread; fib runs on one of
            // tokio's blocking threads.
            Ok(n) => match tokio::task::spawn_blocking(move || fib(n)).await {
                Ok(v) => format!("{v}\n"),
                Err(_) => "ERR internal error\n".to_string(),
            },
            Err(e) => format!("{e}\n"),
        };
        // ANCHOR_END: offload
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

/// Serves on a current-thread runtime; the blocking pool gets one thread
/// per CPU, so at most that many `fib` calls run at once (the rest queue).
pub fn serve(listener: std::net::TcpListener) -> io::Result<()> {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rt = Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(cpus)
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

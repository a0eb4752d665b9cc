//! A byte echo server on tokio: every byte a client sends comes back. The same
//! accept loop runs on a current-thread runtime (one thread for every task) or
//! on a multi-thread runtime (worker threads that steal tasks from each other).

use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Runtime};

/// Size of each connection's read buffer: memory per connection is bounded.
pub const BUF: usize = 4096;

// ANCHOR: echo
/// Copies everything the peer sends back to it, until end of stream.
/// Returns the number of bytes echoed.
pub async fn echo(mut stream: TcpStream) -> io::Result<u64> {
    let mut buf = [0u8; BUF];
    let mut total = 0;
    loop {
        // `.await` returns this task to the scheduler until the socket is
        // readable; the thread meanwhile runs other connections' tasks.
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(total); // the peer closed its side
        }
        // One write call per chunk; it waits (without a thread) while the
        // peer's receive window is full, so a slow reader slows only itself.
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}
// ANCHOR_END: echo

// ANCHOR: accept
/// Accepts connections for ever and spawns a task for each.
pub async fn accept_loop(listener: TcpListener) -> io::Result<()> {
    let mut warned = false;
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                // A task is one allocation holding `echo`'s state machine, not
                // a stack: thousands of them cost megabytes, not gigabytes.
                tokio::spawn(async move {
                    // A peer that resets mid-message ends its own task only.
                    let _ = echo(stream).await;
                });
            }
            Err(e) => {
                // Out of descriptors (EMFILE) and similar errors are
                // temporary: say so once, pause so the loop does not spin,
                // and keep serving the connections already open.
                if !warned {
                    eprintln!("accept failed ({e}); retrying");
                    warned = true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}
// ANCHOR_END: accept

// ANCHOR: runtimes
/// Serves `listener` on a runtime whose only thread is the caller's.
pub fn serve_current_thread(listener: std::net::TcpListener) -> io::Result<()> {
    let rt = Builder::new_current_thread().enable_all().build()?;
    run(rt, listener)
}

/// Serves `listener` on a runtime with `workers` worker threads.
pub fn serve_multi_thread(listener: std::net::TcpListener, workers: usize) -> io::Result<()> {
    let rt = Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()?;
    run(rt, listener)
}

fn run(rt: Runtime, listener: std::net::TcpListener) -> io::Result<()> {
    // tokio's reactor needs a non-blocking socket registered with its epoll
    // instance; `from_std` registers it, so it must run inside the runtime.
    listener.set_nonblocking(true)?;
    rt.block_on(async { accept_loop(TcpListener::from_std(listener)?).await })
}
// ANCHOR_END: runtimes

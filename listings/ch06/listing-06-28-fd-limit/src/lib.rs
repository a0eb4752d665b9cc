//! Holding thousands of idle connections in one process. Every socket is a file
//! descriptor, and the kernel refuses a new one (EMFILE) once a process holds
//! its soft `RLIMIT_NOFILE`; the server here is a tokio task per connection on
//! one thread, so descriptors, not threads, are what runs out first.

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Connections opened before their echoes are awaited: fewer than the
/// listener's accept queue holds (128 in Rust's std), so no SYN is dropped.
const BATCH: usize = 100;

// ANCHOR: limit
/// Raises the soft limit on open descriptors to the hard limit, which any
/// process may do (only root may raise the hard one). Returns the soft limit
/// before and after, and the hard limit.
pub fn raise_fd_limit() -> nix::Result<(u64, u64, u64)> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    // An unlimited hard limit still stops at the kernel's per-process
    // ceiling, fs.nr_open; asking for more than that fails with EPERM.
    let ceiling = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1 << 20);
    setrlimit(Resource::RLIMIT_NOFILE, hard.min(ceiling), hard)?;
    let (now, _) = getrlimit(Resource::RLIMIT_NOFILE)?;
    Ok((soft, now, hard))
}
// ANCHOR_END: limit

/// A running echo server and the number of connections it is serving.
pub struct Server {
    pub addr: SocketAddr,
    pub live: Arc<AtomicUsize>,
}

/// Starts a one-thread tokio echo server on `addr` (port 0: any free port).
/// It runs until the process exits.
pub fn start_server(addr: &str) -> io::Result<Server> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let live = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&live);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::spawn(move || rt.block_on(accept_loop(listener, counter)));
    Ok(Server { addr, live })
}

// ANCHOR: server
async fn accept_loop(listener: TcpListener, live: Arc<AtomicUsize>) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                live.fetch_add(1, Ordering::Relaxed);
                let live = Arc::clone(&live);
                // An idle connection costs this task (its future, with the
                // buffer inside) plus the kernel's socket: no thread, no stack.
                tokio::spawn(async move {
                    let _ = echo(stream).await;
                    live.fetch_sub(1, Ordering::Relaxed);
                });
            }
            // EMFILE: out of descriptors. The connection waits in the
            // kernel's queue; retry after a pause instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}
// ANCHOR_END: server

async fn echo(mut stream: tokio::net::TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

// ANCHOR: hold
/// Opens `n` connections to `addr`. Each sends one byte and waits (at most
/// 10 s) for the echo, so the server has really taken it on; then it stays
/// open and idle in the returned vector.
pub fn hold(addr: SocketAddr, n: usize) -> io::Result<Vec<TcpStream>> {
    let mut held = Vec::with_capacity(n);
    while held.len() < n {
        let batch = BATCH.min(n - held.len());
        let fresh = (0..batch)
            .map(|_| TcpStream::connect(addr)) // EMFILE shows up here
            .collect::<io::Result<Vec<_>>>()?;
        for mut s in fresh {
            s.set_read_timeout(Some(Duration::from_secs(10)))?;
            s.write_all(b"x")?;
            s.read_exact(&mut [0u8; 1])?;
            held.push(s);
        }
    }
    Ok(held)
}
// ANCHOR_END: hold

/// This process's resident memory in bytes (Linux: VmRSS in /proc).
pub fn resident() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .map_or(0, |kb: u64| kb * 1024)
}

/// Descriptors this process has open (Linux: entries of /proc/self/fd).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// Waits at most `limit` for `live` to reach `want`; returns whether it did.
pub fn wait_for(live: &AtomicUsize, want: usize, limit: Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while live.load(Ordering::Relaxed) != want {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

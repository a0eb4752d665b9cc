//! A thread-per-connection server for the protocol, with a connection cap,
//! a frame size cap and timeouts on every read and write.

use crate::codec::{self, Decoder};
use crate::protocol::{Request, Response, code};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Largest frame accepted, in bytes of payload.
    pub max_frame: usize,
    /// Connections served at once; more are answered `BUSY` and closed.
    pub max_connections: usize,
    /// A client silent for this long is disconnected.
    pub read_timeout: Duration,
    /// A client that does not read its responses for this long is disconnected.
    pub write_timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_frame: 64 * 1024,
            max_connections: 64,
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
        }
    }
}

type Store = Mutex<HashMap<Vec<u8>, Vec<u8>>>;

pub struct Server {
    listener: TcpListener,
    config: Config,
    store: Arc<Store>,
    active: Arc<AtomicUsize>,
}

impl Server {
    pub fn bind(addr: impl ToSocketAddrs, config: Config) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            config,
            store: Arc::default(),
            active: Arc::default(),
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Runs the accept loop on a background thread.
    pub fn spawn(self) -> io::Result<SocketAddr> {
        let addr = self.local_addr()?;
        thread::Builder::new()
            .name("kv-accept".into())
            .spawn(move || self.run())?;
        Ok(addr)
    }

    // ANCHOR: accept
    pub fn run(self) {
        for stream in self.listener.incoming() {
            // A failed accept (a peer that gave up, too many open files)
            // concerns that one connection, not the server; the pause keeps
            // a persistent error from spinning this loop on a full core.
            let Ok(stream) = stream else {
                thread::sleep(Duration::from_millis(10));
                continue;
            };
            if self.active.load(Ordering::Acquire) >= self.config.max_connections {
                busy(stream, self.config.max_frame);
                continue;
            }
            // The count is taken here, on the accept thread, so the cap holds
            // even when many clients connect at once.
            let guard = ActiveGuard::new(&self.active);
            let (config, store) = (self.config.clone(), Arc::clone(&self.store));
            let spawned = thread::Builder::new()
                .name("kv-conn".into())
                .spawn(move || {
                    let _guard = guard;
                    let _ = serve(stream, &config, &store);
                });
            // If no thread can be made, the stream and the guard are dropped
            // with the closure: the client sees its connection closed.
            drop(spawned);
        }
    }
    // ANCHOR_END: accept
}

/// Counts a connection while alive.
struct ActiveGuard(Arc<AtomicUsize>);

impl ActiveGuard {
    fn new(active: &Arc<AtomicUsize>) -> ActiveGuard {
        active.fetch_add(1, Ordering::AcqRel);
        ActiveGuard(Arc::clone(active))
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

// ANCHOR: serve
fn serve(mut stream: TcpStream, config: &Config, store: &Store) -> io::Result<()> {
    stream.set_read_timeout(Some(config.read_timeout))?;
    stream.set_write_timeout(Some(config.write_timeout))?;
    stream.set_nodelay(true)?;
    let mut decoder = Decoder::new(config.max_frame);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Answer every request that is complete, then read more.
        loop {
            let frame = match decoder.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e) => return refuse(stream, config, code::BAD_FRAME, &e.to_string()),
            };
            let response = match Request::decode(&frame) {
                Ok(request) => handle(request, store),
                Err(e) => return refuse(stream, config, e.code(), &e.to_string()),
            };
            send(&mut stream, &response, config.max_frame)?;
        }
        // A timeout or a reset ends this connection with an error; either
        // way the thread returns and the guard frees its slot.
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return match decoder.finish() {
                Ok(()) => Ok(()),
                Err(e) => refuse(stream, config, code::BAD_FRAME, &e.to_string()),
            };
        }
        decoder.feed(&buf[..n]);
    }
}
// ANCHOR_END: serve

fn handle(request: Request, store: &Store) -> Response {
    // A panic elsewhere cannot leave the map half-updated (each operation
    // is one call), so a poisoned lock is still safe to use.
    let mut map = store.lock().unwrap_or_else(|e| e.into_inner());
    match request {
        Request::Get { key } => map
            .get(&key)
            .cloned()
            .map_or(Response::NotFound, Response::Value),
        Request::Put { key, value } => {
            map.insert(key, value);
            Response::Ok
        }
        Request::Delete { key } => map
            .remove(&key)
            .map_or(Response::NotFound, |_| Response::Ok),
    }
}

fn send(stream: &mut TcpStream, response: &Response, max: usize) -> io::Result<()> {
    let mut frame = Vec::new();
    if codec::encode(&response.encode(), max, &mut frame).is_err() {
        let error = Response::Error {
            code: code::BAD_FRAME,
            msg: "response too large".into(),
        };
        codec::encode(&error.encode(), max, &mut frame).map_err(io::Error::other)?;
    }
    stream.write_all(&frame)
}

// ANCHOR: refuse
/// Sends an error, then closes the connection: after a bad frame the stream
/// has lost its framing and nothing later in it can be trusted.
fn refuse(mut stream: TcpStream, config: &Config, code: u16, msg: &str) -> io::Result<()> {
    stream.set_write_timeout(Some(config.write_timeout))?;
    send(
        &mut stream,
        &Response::Error {
            code,
            msg: msg.into(),
        },
        config.max_frame,
    )?;
    // Closing with unread input makes the kernel send a reset, which can
    // destroy the error before the client reads it. So: signal the end of
    // our side, then discard what the client still sends, within bounds.
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    let _ = io::copy(&mut (&stream).take(1 << 20), &mut io::sink());
    Ok(())
}
// ANCHOR_END: refuse

/// Turns a connection away without ever blocking the accept loop: one
/// non-blocking write (a fresh socket's send buffer has room for it), then
/// close.
fn busy(stream: TcpStream, max: usize) {
    let error = Response::Error {
        code: code::BUSY,
        msg: "too many connections".into(),
    };
    let mut frame = Vec::new();
    if stream.set_nonblocking(true).is_ok()
        && codec::encode(&error.encode(), max, &mut frame).is_ok()
    {
        let _ = (&stream).write_all(&frame);
    }
    let _ = stream.shutdown(Shutdown::Both);
}

//! A raw byte echo server on one thread: a mio `Poll` loop with a state machine
//! per connection. Memory per connection is bounded: one read buffer is shared by
//! the whole loop, and each connection keeps at most `MAX_PENDING` unsent bytes.

use std::io::{self, ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

/// Unsent bytes a connection may hold before the loop stops reading from it.
pub const MAX_PENDING: usize = 64 * 1024;
const READ_CHUNK: usize = 16 * 1024;
const LISTENER: Token = Token(usize::MAX);

// ANCHOR: conn
/// What the loop remembers about one connection between events.
struct Conn {
    stream: TcpStream,
    /// Bytes read but not yet written back: the peer is slower than we are.
    pending: Vec<u8>,
    /// The peer has closed its sending side; finish writing, then close.
    eof: bool,
}

enum Next {
    Wait,
    Close,
}

impl Conn {
    /// Makes as much progress as the socket allows without blocking. mio reports
    /// edges (a change to readable or writable), so this runs until the kernel
    /// answers `WouldBlock`, or the next event for this connection never comes.
    fn drive(&mut self, buf: &mut [u8]) -> io::Result<Next> {
        loop {
            while !self.pending.is_empty() {
                match self.stream.write(&self.pending) {
                    Ok(0) => return Err(ErrorKind::WriteZero.into()),
                    Ok(n) => drop(self.pending.drain(..n)),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if self.eof && self.pending.is_empty() {
                return Ok(Next::Close);
            }
            // Backpressure: a full buffer means "stop reading" until WRITABLE.
            let room = MAX_PENDING - self.pending.len();
            if self.eof || room < READ_CHUNK {
                return Ok(Next::Wait);
            }
            match self.stream.read(&mut buf[..READ_CHUNK]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Next::Wait),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}
// ANCHOR_END: conn

// ANCHOR: serve
/// Echoes every byte on every connection until the process exits.
pub fn serve(listener: std::net::TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut events = Events::with_capacity(1024);
    // A slab: a connection's Token is its index; freed slots are reused.
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut buf = vec![0u8; READ_CHUNK];
    let mut backlog = false; // accept() failed for lack of fds: retry later

    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in events.iter() {
            if event.token() == LISTENER {
                backlog = true;
                continue;
            }
            let id = event.token().0;
            let Some(conn) = conns.get_mut(id).and_then(Option::as_mut) else {
                continue; // closed earlier in this same batch
            };
            if !matches!(conn.drive(&mut buf), Ok(Next::Wait)) {
                // Closing the socket also removes it from the epoll set.
                let mut conn = conns[id].take().expect("slot was checked above");
                let _ = poll.registry().deregister(&mut conn.stream);
                free.push(id);
                backlog = true; // an fd came back: the listener may proceed
            }
        }
        if backlog {
            backlog = accept_all(&listener, &poll, &mut conns, &mut free);
        }
    }
}
// ANCHOR_END: serve

/// Accepts until the kernel's queue is empty. Returns true when it stopped
/// early for lack of file descriptors, so the caller retries after a close.
fn accept_all(
    listener: &TcpListener,
    poll: &Poll,
    conns: &mut Vec<Option<Conn>>,
    free: &mut Vec<usize>,
) -> bool {
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                log_accept_error_once(&e);
                // EMFILE and friends: the connection waits in the kernel's queue.
                return true;
            }
        };
        let _ = stream.set_nodelay(true);
        let id = free.pop().unwrap_or_else(|| {
            conns.push(None);
            conns.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if poll
            .registry()
            .register(&mut stream, Token(id), interest)
            .is_err()
        {
            free.push(id);
            continue;
        }
        conns[id] = Some(Conn {
            stream,
            pending: Vec::new(),
            eof: false,
        });
    }
}

fn log_accept_error_once(e: &io::Error) {
    static LOGGED: AtomicBool = AtomicBool::new(false);
    if !LOGGED.swap(true, Ordering::Relaxed) {
        eprintln!("echo: accept failed ({e}); retrying when a connection closes");
    }
}

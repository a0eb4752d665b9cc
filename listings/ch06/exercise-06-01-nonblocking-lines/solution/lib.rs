//! A line server that upper-cases each line. The blocking version below
//! needs a thread per client; `LineConn::step` is its non-blocking
//! replacement, driven by `serve` on one thread for every client.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Longest line accepted, without its newline.
pub const MAX_LINE: usize = 1024;
/// Stop reading a connection while this many reply bytes are still unsent.
pub const MAX_UNSENT: usize = 64 * 1024;
/// The reply to a line longer than `MAX_LINE`; the server then hangs up.
pub const TOO_LONG: &[u8] = b"ERR line too long\n";

/// The blocking original, for reference: one thread per client, each
/// sleeping in `read_line` or `write_all`.
pub fn handle_blocking(stream: TcpStream) -> io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)?
            == 0
        {
            return Ok(());
        }
        if line.last() != Some(&b'\n') {
            if line.len() > MAX_LINE {
                return out.write_all(TOO_LONG);
            }
            line.push(b'\n'); // the last line, cut short by the peer's close
        }
        out.write_all(&line.to_ascii_uppercase())?;
    }
}

/// What `step` left the connection in.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// Still in use: call `step` again later.
    Open,
    /// Finished: no more input will be read and every reply has been sent.
    Done,
}

/// One client of the non-blocking server.
pub struct LineConn {
    stream: TcpStream,
    /// Bytes read but not yet part of a complete line.
    inbox: Vec<u8>,
    /// Replies queued for the client; `outbox[..sent]` has gone out.
    outbox: Vec<u8>,
    sent: usize,
    /// The peer has closed its side (a read returned 0).
    peer_closed: bool,
    /// A line was too long: read nothing more, finish once TOO_LONG is sent.
    refused: bool,
}

impl LineConn {
    pub fn new(stream: TcpStream) -> io::Result<LineConn> {
        stream.set_nonblocking(true)?;
        Ok(LineConn {
            stream,
            inbox: Vec::new(),
            outbox: Vec::new(),
            sent: 0,
            peer_closed: false,
            refused: false,
        })
    }

    /// Reply bytes queued but not yet sent.
    pub fn unsent(&self) -> usize {
        self.outbox.len() - self.sent
    }

    /// Bytes held for this connection: the whole of its memory use.
    pub fn buffered(&self) -> usize {
        self.inbox.len() + self.outbox.len()
    }

    /// Does everything the socket allows right now, without ever waiting:
    /// reads what has arrived (unless too much is unsent), turns complete
    /// lines into replies (the last line needs no newline if the peer has
    /// closed), writes what the socket takes and keeps the rest. A reset
    /// peer is an `Err`.
    pub fn step(&mut self) -> io::Result<Status> {
        let mut buf = [0u8; 4096];
        // Reading is what lets a client grow our buffers, so it is the part
        // that waits while replies pile up unsent.
        while !self.peer_closed && !self.refused && self.unsent() < MAX_UNSENT {
            match self.stream.read(&mut buf) {
                Ok(0) => self.peer_closed = true,
                Ok(n) => {
                    self.inbox.extend_from_slice(&buf[..n]);
                    self.queue_lines();
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.peer_closed && !self.inbox.is_empty() && !self.refused {
            self.inbox.push(b'\n'); // the last line, cut short by the close
            self.queue_lines();
        }
        while self.unsent() > 0 {
            match self.stream.write(&self.outbox[self.sent..]) {
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        // Forget what has gone out, or a client reading slowly but steadily
        // would grow the outbox without bound.
        self.outbox.drain(..self.sent);
        self.sent = 0;
        let finished = self.peer_closed || self.refused;
        Ok(if finished && self.unsent() == 0 {
            Status::Done
        } else {
            Status::Open
        })
    }

    /// Moves every complete line from `inbox` to `outbox`, upper-cased.
    fn queue_lines(&mut self) {
        let mut start = 0;
        while let Some(i) = self.inbox[start..].iter().position(|&b| b == b'\n') {
            let line = &self.inbox[start..start + i + 1];
            if line.len() > MAX_LINE + 1 {
                return self.refuse();
            }
            self.outbox.extend(line.iter().map(u8::to_ascii_uppercase));
            start += i + 1;
        }
        self.inbox.drain(..start);
        if self.inbox.len() > MAX_LINE {
            self.refuse();
        }
    }

    fn refuse(&mut self) {
        self.inbox.clear();
        self.outbox.extend_from_slice(TOO_LONG);
        self.refused = true;
    }
}

/// Serves every client from the calling thread until `stop` is set,
/// sweeping the connections with a short nap when a sweep finds nothing.
pub fn serve(listener: TcpListener, stop: &AtomicBool) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut conns: Vec<LineConn> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        loop {
            match listener.accept() {
                Ok((s, _)) => conns.extend(LineConn::new(s).ok()),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => break, // out of descriptors: try again next sweep
            }
        }
        conns.retain_mut(|c| matches!(c.step(), Ok(Status::Open)));
        // Section 6.3 replaces this nap with waiting for readiness.
        std::thread::sleep(Duration::from_micros(200));
    }
    Ok(())
}

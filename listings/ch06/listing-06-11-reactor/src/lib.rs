//! A small reactor in the style of asyncore and Twisted: the loop owns the
//! sockets and calls a `Protocol` object when something happens to its
//! connection. The protocol never blocks; it asks the `Transport` to write
//! and to schedule timers, and the loop does the I/O.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::io::{self, ErrorKind, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

const LISTENER: Token = Token(usize::MAX);
const WAKER: Token = Token(usize::MAX - 1);

// ANCHOR: protocol
// ANCHOR: trait
/// A connection's behaviour, as callbacks the loop makes. None may block:
/// while one runs, every other connection waits.
pub trait Protocol {
    fn connection_made(&mut self, _t: &mut Transport) {}
    fn data_received(&mut self, t: &mut Transport, data: &[u8]);
    fn timer_fired(&mut self, _t: &mut Transport, _timer: u64) {}
    /// `None` after a clean close, the error after a reset or a failure.
    fn connection_lost(&mut self, _reason: Option<io::Error>) {}
}
// ANCHOR_END: trait

/// The protocol's view of its connection: it queues bytes and timers, and the
/// loop carries them out after the callback returns.
pub struct Transport {
    out: Vec<u8>,
    closing: bool,
    timers: Vec<(Duration, u64)>,
}

impl Transport {
    /// Queues bytes. The bound comes from the loop, which stops reading once
    /// `max_unsent` bytes wait: a protocol that writes no more than a few times
    /// what it reads stays within that plus a few read chunks.
    pub fn write(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
    /// Closes the connection once the queued bytes are sent.
    pub fn close(&mut self) {
        self.closing = true;
    }
    /// Calls `timer_fired(id)` after `delay`.
    pub fn call_later(&mut self, delay: Duration, id: u64) {
        self.timers.push((delay, id));
    }
    pub fn unsent(&self) -> usize {
        self.out.len()
    }
}
// ANCHOR_END: protocol

/// Limits that keep one loop's memory and fairness under control.
#[derive(Clone, Debug)]
pub struct Config {
    /// Connections beyond this are sent `refusal` and closed.
    pub max_connections: usize,
    pub refusal: &'static [u8],
    /// Stop reading a connection while this many bytes wait to be sent.
    pub max_unsent: usize,
    /// Bytes read from one connection before the loop turns to the others.
    pub read_budget: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_connections: 1024,
            refusal: b"ERR server full\n",
            max_unsent: 64 * 1024,
            read_budget: 64 * 1024,
        }
    }
}

/// Stops a running loop from another thread.
#[derive(Clone)]
pub struct Handle {
    waker: Arc<Waker>,
    stop: Arc<AtomicBool>,
}

impl Handle {
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.waker.wake();
    }
}

/// (deadline, order of scheduling, slot, connection generation, timer id).
type TimerEntry = (Instant, u64, usize, u64, u64);

struct Conn<P> {
    stream: TcpStream,
    proto: P,
    t: Transport,
    /// Changes when the slot is reused, so old timers cannot fire on a newcomer.
    generation: u64,
    eof: bool,
}

pub struct Reactor<P, F> {
    poll: Poll,
    listener: TcpListener,
    config: Config,
    new_protocol: F,
    conns: Vec<Option<Conn<P>>>,
    free: Vec<usize>,
    live: usize,
    generation: u64,
    /// Connections that used up their read budget with data still waiting.
    again: VecDeque<usize>,
    /// The earliest deadline on top.
    timers: BinaryHeap<Reverse<TimerEntry>>,
    timer_seq: u64,
    handle: Handle,
    buf: Vec<u8>,
}

impl<P: Protocol, F: FnMut() -> P> Reactor<P, F> {
    pub fn new(
        listener: std::net::TcpListener,
        config: Config,
        new_protocol: F,
    ) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(listener);
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let handle = Handle {
            waker,
            stop: Arc::new(AtomicBool::new(false)),
        };
        let buf = vec![0u8; config.read_budget.clamp(1, 16 * 1024)];
        Ok(Reactor {
            poll,
            listener,
            config,
            new_protocol,
            conns: Vec::new(),
            free: Vec::new(),
            live: 0,
            generation: 0,
            again: VecDeque::new(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            handle,
            buf,
        })
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    pub fn connections(&self) -> usize {
        self.live
    }

    // ANCHOR: run
    /// Runs until `Handle::shutdown`. Each turn: wait for readiness (no longer
    /// than the nearest timer, not at all if a connection has budgeted work
    /// left), run the ready connections, then the leftovers, then due timers.
    pub fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        while !self.handle.stop.load(Ordering::Acquire) {
            let timeout = if self.again.is_empty() {
                self.timers
                    .peek()
                    .map(|Reverse(t)| t.0.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            match self.poll.poll(&mut events, timeout) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => other?,
            }
            let leftovers = std::mem::take(&mut self.again);
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept_all(),
                    WAKER => {} // the loop condition reads the stop flag
                    Token(slot) => self.drive(slot),
                }
            }
            for slot in leftovers {
                self.drive(slot);
            }
            self.fire_due_timers();
        }
        Ok(())
    }
    // ANCHOR_END: run

    fn accept_all(&mut self) {
        loop {
            let (mut stream, _) = match self.listener.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                // EMFILE and the like: try again on the next listener event.
                Err(_) => return,
            };
            // ANCHOR: limit
            if self.live >= self.config.max_connections {
                // Refuse with a reason rather than leave the client hanging. The
                // socket buffer is empty, so this short write goes through whole.
                let _ = stream.write(self.config.refusal);
                continue; // dropping the stream closes it
            }
            // ANCHOR_END: limit
            let _ = stream.set_nodelay(true);
            let slot = self.free.pop().unwrap_or_else(|| {
                self.conns.push(None);
                self.conns.len() - 1
            });
            let interest = Interest::READABLE | Interest::WRITABLE;
            if self
                .poll
                .registry()
                .register(&mut stream, Token(slot), interest)
                .is_err()
            {
                self.free.push(slot);
                continue;
            }
            self.generation += 1;
            let mut conn = Conn {
                stream,
                proto: (self.new_protocol)(),
                t: Transport {
                    out: Vec::new(),
                    closing: false,
                    timers: Vec::new(),
                },
                generation: self.generation,
                eof: false,
            };
            conn.proto.connection_made(&mut conn.t);
            self.conns[slot] = Some(conn);
            self.live += 1;
            self.after_callback(slot);
        }
    }

    // ANCHOR: drive
    /// Flushes, then reads at most `read_budget` bytes, handing each chunk to
    /// the protocol. Stops reading while the unsent bytes exceed `max_unsent`.
    fn drive(&mut self, slot: usize) {
        let Some(conn) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
            return; // closed earlier in this turn
        };
        let mut budget = self.config.read_budget;
        let result = loop {
            if let Err(e) = flush(&mut conn.stream, &mut conn.t.out) {
                break Err(e);
            }
            if conn.t.out.len() >= self.config.max_unsent || conn.eof || conn.t.closing {
                break Ok(()); // backpressure: WRITABLE will call us again
            }
            if budget == 0 {
                self.again.push_back(slot); // fairness: others go first
                break Ok(());
            }
            let want = budget.min(self.buf.len());
            match conn.stream.read(&mut self.buf[..want]) {
                Ok(0) => conn.eof = true,
                Ok(n) => {
                    budget -= n;
                    conn.proto.data_received(&mut conn.t, &self.buf[..n]);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(()) => self.after_callback(slot),
            Err(e) => self.close(slot, Some(e)),
        }
    }
    // ANCHOR_END: drive

    /// Carries out what a callback asked for: timers, a last flush, a close.
    fn after_callback(&mut self, slot: usize) {
        let Some(conn) = self.conns[slot].as_mut() else {
            return;
        };
        let now = Instant::now();
        for (delay, id) in conn.t.timers.drain(..) {
            self.timer_seq += 1;
            let entry = (now + delay, self.timer_seq, slot, conn.generation, id);
            self.timers.push(Reverse(entry));
        }
        if let Err(e) = flush(&mut conn.stream, &mut conn.t.out) {
            return self.close(slot, Some(e));
        }
        let finished = conn.t.out.is_empty() && (conn.eof || conn.t.closing);
        if finished {
            self.close(slot, None);
        }
    }

    // ANCHOR: timers
    fn fire_due_timers(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((deadline, _, slot, generation, id))) = self.timers.peek().copied() {
            if deadline > now {
                break;
            }
            self.timers.pop();
            // A timer outlives a closed connection: check it is still the same one.
            match self.conns.get_mut(slot).and_then(Option::as_mut) {
                Some(conn) if conn.generation == generation => {
                    conn.proto.timer_fired(&mut conn.t, id);
                    self.after_callback(slot);
                }
                _ => {}
            }
        }
    }
    // ANCHOR_END: timers

    fn close(&mut self, slot: usize, reason: Option<io::Error>) {
        if let Some(mut conn) = self.conns[slot].take() {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            conn.proto.connection_lost(reason);
            self.free.push(slot);
            self.live -= 1;
        }
    }
}

fn flush(stream: &mut TcpStream, out: &mut Vec<u8>) -> io::Result<()> {
    let mut sent = 0;
    let result = loop {
        if sent == out.len() {
            break Ok(());
        }
        match stream.write(&out[sent..]) {
            Ok(0) => break Err(ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    out.drain(..sent);
    result
}

// ANCHOR: lines
/// A line protocol on the reactor: each line comes back upper-cased. Lines are
/// capped, and a connection that sends no complete line for `idle` is told so
/// and closed.
pub struct LineServer {
    partial: Vec<u8>,
    idle: Duration,
    last_line: Instant,
}

pub const MAX_LINE: usize = 1024;

impl LineServer {
    pub fn new(idle: Duration) -> Self {
        LineServer {
            partial: Vec::new(),
            idle,
            last_line: Instant::now(),
        }
    }
}

impl Protocol for LineServer {
    fn connection_made(&mut self, t: &mut Transport) {
        // One timer per connection, re-armed when it fires: not one per line.
        t.call_later(self.idle, 0);
    }

    fn data_received(&mut self, t: &mut Transport, data: &[u8]) {
        for piece in data.split_inclusive(|&b| b == b'\n') {
            self.partial.extend_from_slice(piece);
            if self.partial.len() > MAX_LINE {
                t.write(b"ERR line too long\n");
                return t.close();
            }
            if self.partial.ends_with(b"\n") {
                match std::str::from_utf8(&self.partial) {
                    Ok(line) => t.write(line.to_uppercase().as_bytes()),
                    Err(_) => {
                        t.write(b"ERR not UTF-8\n");
                        return t.close();
                    }
                }
                self.partial.clear();
                self.last_line = Instant::now();
            }
        }
    }

    fn timer_fired(&mut self, t: &mut Transport, _timer: u64) {
        let quiet = self.last_line.elapsed();
        if quiet >= self.idle {
            t.write(b"ERR idle timeout\n");
            t.close();
        } else {
            t.call_later(self.idle - quiet, 0);
        }
    }
}
// ANCHOR_END: lines

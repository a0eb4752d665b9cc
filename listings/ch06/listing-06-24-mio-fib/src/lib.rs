//! Beazley's Fibonacci server as an event loop (his generator-and-`select`
//! version), on mio: one thread, every socket non-blocking, `fib` computed
//! inside the loop.

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::collections::{HashMap, VecDeque};
use std::io::{self, ErrorKind, Read, Write};
use std::net::Shutdown;
use std::time::Duration;

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

/// Replies queued for a client that does not read are capped: past this, the
/// loop stops reading its requests until it catches up.
const MAX_OUTPUT: usize = 64 * 1024;
/// After an error reply, at most this much further input is read and dropped.
const MAX_DRAIN: usize = 64 * 1024;

/// One client's state between events.
struct Conn {
    stream: TcpStream,
    input: Vec<u8>,
    output: Vec<u8>,
    /// An error reply is queued: ignore input, close once it is sent.
    closing: bool,
    drained: usize,
}

/// What a turn left behind.
#[derive(PartialEq)]
enum Turn {
    /// The socket said "would block": wait for its next event.
    Idle,
    /// Input may remain: give it another turn after the other ready sockets.
    Again,
    /// Finished or failed: close it.
    Done,
}

// ANCHOR: ready
impl Conn {
    /// One turn: at most one read and the requests it completed. Reading until
    /// "would block" instead would let a fast client keep the loop for itself.
    fn turn(&mut self) -> Turn {
        let mut buf = [0u8; 4096];
        if !self.flush() {
            return Turn::Done;
        }
        if self.output.len() >= MAX_OUTPUT {
            return Turn::Idle; // resume when the socket is writable again
        }
        let n = match self.stream.read(&mut buf) {
            Ok(0) if self.output.is_empty() => return Turn::Done,
            Ok(0) => return Turn::Idle, // flush the rest on the next event
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Turn::Idle,
            Err(e) if e.kind() == ErrorKind::Interrupted => return Turn::Again,
            Err(_) => return Turn::Done,
        };
        if self.closing {
            self.drained += n;
            return if self.drained > MAX_DRAIN {
                Turn::Done
            } else {
                Turn::Again
            };
        }
        self.input.extend_from_slice(&buf[..n]);
        while let Some(end) = self.input.iter().position(|&b| b == b'\n') {
            let reply = match parse(&self.input[..end]) {
                // The whole loop waits here: no other client is served
                // until fib returns.
                Ok(n) => format!("{}\n", fib(n)),
                Err(e) => format!("{e}\n"),
            };
            self.output.extend_from_slice(reply.as_bytes());
            self.input.drain(..=end);
        }
        if self.input.len() >= MAX_LINE {
            self.output.extend_from_slice(b"ERR line too long\n");
            self.input = Vec::new();
            self.closing = true;
        }
        if self.flush() {
            Turn::Again
        } else {
            Turn::Done
        }
    }
    // ANCHOR_END: ready

    /// Writes queued replies until done or the socket is full.
    fn flush(&mut self) -> bool {
        while !self.output.is_empty() {
            match self.stream.write(&self.output) {
                Ok(0) => return false,
                Ok(n) => {
                    self.output.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if self.closing {
            // The error reply is out: send FIN, keep reading (and dropping)
            // input for a while so our close does not turn into a reset.
            let _ = self.stream.shutdown(Shutdown::Write);
        }
        true
    }
}

// ANCHOR: serve
const LISTENER: Token = Token(0);

/// Runs the event loop on the calling thread, for ever.
pub fn serve(listener: std::net::TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut conns: HashMap<Token, Conn> = HashMap::new();
    let mut next = 1;
    let mut events = Events::with_capacity(1024);
    // Sockets that may hold more input: epoll is edge-triggered and will not
    // report them again, so they queue here for their next turn.
    let mut again: VecDeque<Token> = VecDeque::new();
    loop {
        let wait = if again.is_empty() {
            None
        } else {
            Some(Duration::ZERO)
        };
        if let Err(e) = poll.poll(&mut events, wait) {
            if e.kind() == ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        let mut turns: Vec<Token> = again.drain(..).collect();
        for event in events.iter() {
            if event.token() == LISTENER {
                // Edge-triggered: accept until the backlog is empty.
                while let Ok((mut stream, _)) = listener.accept() {
                    let token = Token(next);
                    next += 1;
                    let both = Interest::READABLE | Interest::WRITABLE;
                    if poll.registry().register(&mut stream, token, both).is_ok() {
                        let input = Vec::with_capacity(MAX_LINE);
                        let conn = Conn {
                            stream,
                            input,
                            output: Vec::new(),
                            closing: false,
                            drained: 0,
                        };
                        conns.insert(token, conn);
                    }
                }
            } else if !turns.contains(&event.token()) {
                turns.push(event.token());
            }
        }
        // Round robin: every ready connection gets one turn, then the next poll.
        for token in turns {
            let Some(conn) = conns.get_mut(&token) else {
                continue;
            };
            match conn.turn() {
                Turn::Idle => {}
                Turn::Again => again.push_back(token),
                // Dropping the stream closes it and removes it from epoll.
                Turn::Done => drop(conns.remove(&token)),
            }
        }
    }
}
// ANCHOR_END: serve

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// The fairness fix: one turn reads at most one buffer, however much the
    /// socket holds, and asks for another turn instead of reading on.
    #[test]
    fn a_turn_reads_one_buffer_and_asks_for_another() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let requests = b"1\n".repeat(8 * 1024); // 16 KiB: four buffers' worth
        client.write_all(&requests).unwrap();

        // Wait (bounded) until all 16 KiB sit in the server's receive buffer.
        server.set_nonblocking(true).unwrap();
        let mut peek = vec![0u8; requests.len() + 1];
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.peek(&mut peek).unwrap_or(0) < requests.len() {
            assert!(Instant::now() < deadline, "requests never arrived");
            std::thread::yield_now();
        }

        let mut conn = Conn {
            stream: TcpStream::from_std(server),
            input: Vec::new(),
            output: Vec::new(),
            closing: false,
            drained: 0,
        };
        // Four turns, 4 KiB each, every one asking to come back.
        for turn in 1..=4 {
            assert!(conn.turn() == Turn::Again, "turn {turn}");
            let left = conn.stream.peek(&mut peek).unwrap_or(0);
            assert_eq!(left, requests.len() - turn * 4096, "turn {turn}");
        }
        // The fifth finds the socket empty and waits for its next event.
        assert!(conn.turn() == Turn::Idle);

        // Every request was answered, in order.
        let mut replies = vec![0u8; requests.len()];
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        client.read_exact(&mut replies).unwrap();
        assert!(replies == requests, "fib(1) is 1 for every request");
    }
}

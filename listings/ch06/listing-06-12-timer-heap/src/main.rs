//! A timer heap driving mio's poll timeout. One timer writes to a socket the
//! loop watches, so the output shows sockets and timers interleaved.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

// ANCHOR: heap
/// Deadlines in a min-heap: `peek` is the next timer due, in O(1); `push` and
/// `pop` cost O(log n). The sequence number keeps equal deadlines in order.
struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64, &'static str)>>,
    seq: u64,
}

impl Timers {
    fn schedule(&mut self, after: Duration, name: &'static str) {
        self.seq += 1;
        self.heap
            .push(Reverse((Instant::now() + after, self.seq, name)));
    }
    /// How long poll may sleep: until the nearest deadline, or forever.
    fn timeout(&self) -> Option<Duration> {
        let Reverse((deadline, _, _)) = self.heap.peek()?;
        Some(deadline.saturating_duration_since(Instant::now()))
    }
    fn pop_due(&mut self, now: Instant) -> Option<&'static str> {
        match self.heap.peek() {
            Some(Reverse((deadline, _, _))) if *deadline <= now => {
                self.heap.pop().map(|Reverse((_, _, name))| name)
            }
            _ => None,
        }
    }
}
// ANCHOR_END: heap

fn log(start: Instant, what: &str) {
    println!("{what:<31} (at {:.1?})", start.elapsed());
}

fn main() -> std::io::Result<()> {
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().expect("address"))?;
    let mut client = std::net::TcpStream::connect(listener.local_addr()?)?;
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, Token(0), Interest::READABLE)?;
    let mut server: Option<TcpStream> = None;
    let mut events = Events::with_capacity(16);
    let mut timers = Timers {
        heap: BinaryHeap::new(),
        seq: 0,
    };
    // Scheduled out of order on purpose: the heap sorts them.
    timers.schedule(Duration::from_millis(250), "stop");
    timers.schedule(Duration::from_millis(50), "send a ping");
    timers.schedule(Duration::from_millis(200), "tick");
    let start = Instant::now();

    // ANCHOR: loop
    let mut running = true;
    while running {
        poll.poll(&mut events, timers.timeout())?;
        // 1. Sockets that are ready now.
        for event in events.iter() {
            if event.token() == Token(0) {
                let (mut s, _) = listener.accept()?;
                poll.registry()
                    .register(&mut s, Token(1), Interest::READABLE)?;
                server = Some(s);
                log(start, "socket: accepted a connection");
            } else if let Some(s) = server.as_mut() {
                let mut buf = [0u8; 64];
                let n = s.read(&mut buf)?;
                log(start, &format!("socket: read {n} bytes"));
            }
        }
        // 2. Timers whose deadline has passed, earliest first.
        while let Some(name) = timers.pop_due(Instant::now()) {
            log(start, &format!("timer:  {name}"));
            match name {
                "send a ping" => client.write_all(b"ping")?,
                "stop" => running = false,
                _ => {}
            }
        }
    }
    // ANCHOR_END: loop
    Ok(())
}

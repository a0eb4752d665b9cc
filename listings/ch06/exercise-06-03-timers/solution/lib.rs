//! A timer queue for an event loop, and a mio echo server that uses it to
//! close connections that stay silent for too long.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::io::{self, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

/// Names one scheduled timer, so it can be cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(pub u64);

/// Deadlines the loop must act on, earliest first.
#[derive(Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    /// Ids scheduled and neither fired nor cancelled. A cancelled timer stays
    /// in the heap until it reaches the top (lazy deletion).
    live: HashSet<u64>,
    next_id: u64,
}

impl Timers {
    pub fn new() -> Timers {
        Timers::default()
    }

    /// Schedules a timer for `at`.
    pub fn schedule(&mut self, at: Instant) -> TimerId {
        // Ids only grow, so equal deadlines pop in scheduling order.
        self.next_id += 1;
        self.heap.push(Reverse((at, self.next_id)));
        self.live.insert(self.next_id);
        TimerId(self.next_id)
    }

    /// Cancels a timer that has not fired yet; returns whether it was pending.
    pub fn cancel(&mut self, id: TimerId) -> bool {
        // Lazy deletion: finding the entry in the heap would cost O(n).
        self.live.remove(&id.0)
    }

    /// How long poll may sleep at `now`: `None` with no timers pending,
    /// `Duration::ZERO` when one is already due.
    pub fn timeout(&mut self, now: Instant) -> Option<Duration> {
        self.drop_cancelled_top();
        let Reverse((at, _)) = self.heap.peek()?;
        Some(at.saturating_duration_since(now))
    }

    fn drop_cancelled_top(&mut self) {
        while let Some(Reverse((_, id))) = self.heap.peek() {
            if self.live.contains(id) {
                break;
            }
            self.heap.pop();
        }
    }

    /// Removes and returns the timers due at `now`, earliest first; timers
    /// with the same deadline come out in the order they were scheduled.
    pub fn expired(&mut self, now: Instant) -> Vec<TimerId> {
        let mut due = Vec::new();
        loop {
            self.drop_cancelled_top();
            match self.heap.peek() {
                Some(Reverse((at, id))) if *at <= now => {
                    self.live.remove(id);
                    due.push(TimerId(*id));
                    self.heap.pop();
                }
                _ => return due,
            }
        }
    }

    /// Timers still pending (not fired, not cancelled).
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// The loop below is given: it uses your `Timers`.

struct Conn {
    stream: TcpStream,
    idle_timer: TimerId,
}

/// Echoes bytes, closes a connection after `idle` without input, and returns
/// after `run_for` with the number of connections closed for idleness.
pub fn idle_echo(
    listener: std::net::TcpListener,
    idle: Duration,
    run_for: Duration,
) -> io::Result<usize> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    const LISTENER: Token = Token(usize::MAX);
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut timers = Timers::new();
    let stop = timers.schedule(Instant::now() + run_for);
    let mut conns: HashMap<usize, Conn> = HashMap::new();
    let mut owner: HashMap<TimerId, usize> = HashMap::new();
    let (mut next, mut closed_idle) = (0usize, 0usize);
    let mut events = Events::with_capacity(64);
    let mut buf = [0u8; 4096];
    loop {
        poll.poll(&mut events, timers.timeout(Instant::now()))?;
        for event in events.iter() {
            if event.token() == LISTENER {
                while let Ok((mut stream, _)) = listener.accept() {
                    next += 1;
                    poll.registry()
                        .register(&mut stream, Token(next), Interest::READABLE)?;
                    let idle_timer = timers.schedule(Instant::now() + idle);
                    owner.insert(idle_timer, next);
                    conns.insert(next, Conn { stream, idle_timer });
                }
                continue;
            }
            let key = event.token().0;
            let Some(c) = conns.get_mut(&key) else {
                continue;
            };
            let mut open = true;
            loop {
                match c.stream.read(&mut buf) {
                    Ok(0) => {
                        open = false;
                        break;
                    }
                    Ok(n) => {
                        // Input: push the idle deadline back.
                        timers.cancel(c.idle_timer);
                        owner.remove(&c.idle_timer);
                        c.idle_timer = timers.schedule(Instant::now() + idle);
                        owner.insert(c.idle_timer, key);
                        if c.stream.write_all(&buf[..n]).is_err() {
                            open = false;
                            break;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        open = false;
                        break;
                    }
                }
            }
            if !open {
                let c = conns.remove(&key).expect("present");
                timers.cancel(c.idle_timer);
                owner.remove(&c.idle_timer);
            }
        }
        for id in timers.expired(Instant::now()) {
            if id == stop {
                return Ok(closed_idle);
            }
            let conn = owner.remove(&id).and_then(|key| conns.remove(&key));
            if let Some(mut c) = conn {
                let _ = c.stream.write_all(b"idle timeout\n");
                closed_idle += 1;
            }
        }
    }
}

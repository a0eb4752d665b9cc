//! Three threads send messages to a loop that sleeps in poll. The channel
//! carries the data; the Waker (an eventfd in the loop's epoll set on Linux)
//! only says "look at the channel".

use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use mio::{Events, Poll, Token, Waker};

const WAKER: Token = Token(0);

fn main() -> std::io::Result<()> {
    // ANCHOR: waker
    let mut poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let (tx, rx) = mpsc::channel::<String>();
    for t in 0..3 {
        let (tx, waker) = (tx.clone(), waker.clone());
        thread::spawn(move || {
            for i in 0..4 {
                // Send first, then wake: the loop must find the message
                // when it looks.
                tx.send(format!("thread {t} message {i}")).unwrap();
                waker.wake().unwrap();
            }
        });
    }
    drop(tx);

    let mut events = Events::with_capacity(8);
    let (mut received, mut wakeups) = (Vec::new(), 0);
    while received.len() < 12 {
        // A bound so a lost wake-up shows as an error, not a hang.
        poll.poll(&mut events, Some(Duration::from_secs(5)))?;
        if events.is_empty() {
            return Err(std::io::Error::other("no wake-up within 5 s"));
        }
        for event in events.iter() {
            if event.token() == WAKER {
                wakeups += 1;
                // One wake may stand for many sends: drain everything.
                received.extend(rx.try_iter());
            }
        }
    }
    // ANCHOR_END: waker
    received.sort();
    println!("first: {}", received[0]);
    println!("last:  {}", received[11]);
    println!(
        "received {} messages in {wakeups} wake-ups (at most one per send: {})",
        received.len(),
        wakeups <= 12
    );
    Ok(())
}

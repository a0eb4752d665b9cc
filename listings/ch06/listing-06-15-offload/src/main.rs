//! Listing 6-14's server with the blocking call moved to a worker thread: the
//! loop hands the job over, keeps serving, and is woken when the answer is ready.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use std::sync::{Arc, mpsc};

const LISTENER: Token = Token(usize::MAX);
const WAKER: Token = Token(usize::MAX - 1);
const SLOW: Duration = Duration::from_millis(500);

// ANCHOR: handler
/// A job for the worker: which connection asked, and what.
type Job = (Token, String);

/// Runs the blocking work away from the loop, then sends the reply back and
/// wakes the loop so it writes the reply out.
fn worker(jobs: mpsc::Receiver<Job>, replies: mpsc::Sender<(Token, Vec<u8>)>, waker: Arc<Waker>) {
    for (token, _line) in jobs {
        std::thread::sleep(SLOW); // blocks this thread only
        if replies.send((token, b"done\n".to_vec())).is_err() || waker.wake().is_err() {
            return;
        }
    }
}

/// Answers cheap requests on the loop; hands the slow one to the worker.
fn handle(token: Token, line: &str, out: &mut Vec<u8>, jobs: &mpsc::Sender<Job>) {
    match line {
        "slow" => {
            let _ = jobs.send((token, line.to_string()));
        }
        _ => out.extend_from_slice(b"pong\n"),
    }
}
// ANCHOR_END: handler

struct Conn {
    stream: TcpStream,
    input: Vec<u8>,
    out: Vec<u8>,
}

fn serve(listener: std::net::TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut conns: Vec<Conn> = Vec::new();
    let mut events = Events::with_capacity(64);
    // ANCHOR: wiring
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let (jobs, job_rx) = mpsc::channel::<Job>();
    let (reply_tx, replies) = mpsc::channel();
    std::thread::spawn(move || worker(job_rx, reply_tx, waker));
    // ANCHOR_END: wiring
    loop {
        poll.poll(&mut events, None)?;
        for event in events.iter() {
            // ANCHOR: wake
            if event.token() == WAKER {
                for (Token(i), reply) in replies.try_iter() {
                    let Some(c) = conns.get_mut(i) else { continue };
                    c.out.extend_from_slice(&reply);
                    flush(c);
                }
                continue;
            }
            // ANCHOR_END: wake
            if event.token() == LISTENER {
                while let Ok((mut stream, _)) = listener.accept() {
                    let token = Token(conns.len());
                    let both = Interest::READABLE | Interest::WRITABLE;
                    poll.registry().register(&mut stream, token, both)?;
                    stream.set_nodelay(true)?;
                    conns.push(Conn {
                        stream,
                        input: Vec::new(),
                        out: Vec::new(),
                    });
                }
                continue;
            }
            let c = &mut conns[event.token().0];
            let mut buf = [0u8; 1024];
            loop {
                match c.stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => c.input.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => break,
                }
            }
            while let Some(end) = c.input.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = c.input.drain(..=end).collect();
                let line = String::from_utf8_lossy(&line[..end]).into_owned();
                if line == "slow" {
                    // Say "started" first, so the demo knows when.
                    let _ = c.stream.write(b"started\n");
                }
                handle(event.token(), &line, &mut c.out, &jobs);
            }
            flush(c);
        }
    }
}

fn flush(c: &mut Conn) {
    match c.stream.write(&c.out) {
        Ok(n) => drop(c.out.drain(..n)),
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(_) => c.out.clear(),
    }
}

fn main() -> io::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || serve(listener));

    let connect = || -> io::Result<BufReader<std::net::TcpStream>> {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(BufReader::new(s))
    };
    let line = |c: &mut BufReader<std::net::TcpStream>| -> io::Result<String> {
        let mut l = String::new();
        c.read_line(&mut l)?;
        Ok(l.trim_end().to_string())
    };
    // ANCHOR: demo
    let (mut a, mut b) = (connect()?, connect()?);
    a.get_mut().write_all(b"slow\n")?;
    println!("a: {}", line(&mut a)?); // the worker now has the job
    let sent = Instant::now();
    b.get_mut().write_all(b"ping\n")?;
    println!("b: {}", line(&mut b)?);
    let waited = sent.elapsed();
    println!("b's ping took {waited:.1?}");
    println!("b waited for a's request: {}", waited >= SLOW / 2);
    println!("a: {}", line(&mut a)?);
    // ANCHOR_END: demo
    Ok(())
}

//! A line server on one mio loop with one bad handler: `slow` blocks the
//! loop's thread. A second client's `ping` has to wait for it.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

const LISTENER: Token = Token(usize::MAX);
const SLOW: Duration = Duration::from_millis(500);

// ANCHOR: handler
/// Answers one request line. `slow` stands for any call that blocks: a
/// database query, a file on a network disk, a DNS lookup, a long computation.
fn handle(line: &str, out: &mut Vec<u8>) {
    match line {
        "slow" => {
            std::thread::sleep(SLOW); // every other connection waits too
            out.extend_from_slice(b"done\n");
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
    loop {
        poll.poll(&mut events, None)?;
        for event in events.iter() {
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
                    // Say "started" before blocking, so the demo knows when.
                    let _ = c.stream.write(b"started\n");
                }
                handle(&line, &mut c.out);
            }
            match c.stream.write(&c.out) {
                Ok(n) => drop(c.out.drain(..n)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => c.out.clear(),
            }
        }
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
    println!("a: {}", line(&mut a)?); // the loop is now inside handle("slow")
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

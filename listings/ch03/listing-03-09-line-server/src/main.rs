//! Starts the line server (address from the first argument or `LINE_SERVER_ADDR`,
//! default 127.0.0.1:0) and talks to it as a few clients would.

use listing_03_09_line_server::{Config, start};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

// ANCHOR: client
/// Sends each request as one line and returns the replies, one per request.
fn exchange(addr: SocketAddr, requests: &[&[u8]]) -> std::io::Result<Vec<String>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut replies = BufReader::new(stream.try_clone()?);
    let mut out = Vec::new();
    for req in requests {
        // One write per request: a second small write would wait for the
        // server's acknowledgement (Nagle's algorithm, below).
        let mut line = req.to_vec();
        line.push(b'\n');
        stream.write_all(&line)?;
        let mut reply = String::new();
        if replies.read_line(&mut reply)? == 0 {
            break; // the server closed the connection
        }
        out.push(reply.trim_end().to_string());
    }
    Ok(out)
}
// ANCHOR_END: client

fn main() -> std::io::Result<()> {
    let explicit = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("LINE_SERVER_ADDR").ok());
    let cfg = Config {
        max_line: 64,
        ..Config::default()
    };
    let addr = start(explicit.as_deref().unwrap_or("127.0.0.1:0"), cfg)?;
    println!("listening on {addr} (lines up to 64 bytes)");

    let clients: [(&str, Vec<&[u8]>); 3] = [
        (
            "polite",
            vec![b"ECHO hello", b"UPPER hello, sockets", b"QUIT"],
        ),
        (
            "confused",
            vec![
                b"FROB 42",
                b"ECHO caf\xc3\xa9",
                b"ECHO caf\xe9",
                b"ECHO still here",
            ],
        ),
        ("greedy", vec![b"ECHO fine", &[b'x'; 100], b"ECHO too late"]),
    ];
    // The clients run at the same time, each on its own connection and thread.
    let handles: Vec<_> = clients
        .into_iter()
        .map(|(name, reqs)| std::thread::spawn(move || (name, reqs.len(), exchange(addr, &reqs))))
        .collect();
    for h in handles {
        let (name, sent, replies) = h.join().expect("client thread panicked");
        let replies = replies?;
        println!("{name}: {sent} requests, {} replies", replies.len());
        for r in replies {
            println!("  {r}");
        }
    }
    if explicit.is_some() {
        println!("serving until interrupted (Ctrl-C)");
        loop {
            std::thread::park();
        }
    }
    Ok(())
}

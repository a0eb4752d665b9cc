//! Beazley's Fibonacci server, thread per connection. The protocol: the client
//! sends a number `n` on a line, the server answers `fib(n)` on a line, or a
//! line starting with `ERR`.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

// ANCHOR: protocol
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
// ANCHOR_END: protocol

// ANCHOR: handle
/// Serves one connection: read a line, compute, answer, until the peer leaves.
pub fn handle(stream: TcpStream) -> io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    let mut line = Vec::with_capacity(MAX_LINE);
    loop {
        line.clear();
        // `take` caps the line: a client cannot make this buffer grow.
        let got = (&mut input)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if got == 0 {
            return Ok(()); // the client closed between requests
        }
        if line.last() != Some(&b'\n') {
            if line.len() >= MAX_LINE {
                out.write_all(b"ERR line too long\n")?;
                return close_gently(input.into_inner());
            }
            return Ok(()); // the client vanished mid-line
        }
        let reply = match parse(&line[..line.len() - 1]) {
            // The CPU work runs here, on this connection's own thread.
            Ok(n) => format!("{}\n", fib(n)),
            Err(e) => format!("{e}\n"),
        };
        out.write_all(reply.as_bytes())?; // one write per reply (Nagle)
    }
}

/// Accepts for ever, one thread per connection.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                thread::spawn(move || handle(stream));
            }
            // Out of descriptors, for example: back off instead of spinning.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
    Ok(())
}
// ANCHOR_END: handle

/// Stops writing, then discards a bounded amount of input for a moment, so the
/// error reply is not destroyed by a reset (Section 3.3's `close_gently`).
fn close_gently(stream: TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let _ = io::copy(&mut (&stream).take(64 * 1024), &mut io::sink());
    Ok(())
}

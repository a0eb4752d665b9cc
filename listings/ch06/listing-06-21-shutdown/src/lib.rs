//! A line server that can stop cleanly. Requests: `ECHO text` replies
//! `OK text`; `WORK ms` replies `OK started`, does `ms` milliseconds of work,
//! then replies `OK done`.
//! Lines longer than `MAX_LINE` bytes are refused and the connection closed.

use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Longest request line accepted, in bytes.
pub const MAX_LINE: usize = 1024;

/// How the connections open at shutdown ended.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drained {
    /// Finished their request and said goodbye before the deadline.
    pub finished: usize,
    /// Still busy at the deadline: aborted.
    pub aborted: usize,
}

// ANCHOR: handle
/// Serves one connection; between requests it watches the token, so a
/// shutdown never interrupts a request half-way.
async fn handle(stream: TcpStream, stop: CancellationToken) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    // Kept outside the loop: a `read_until` that loses to `cancelled()` keeps
    // its partial line here (Listing 6-19's lesson).
    let mut input = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        // At most MAX_LINE + 1 bytes per line, however the peer sends them.
        let mut limited = (&mut input).take((MAX_LINE + 1 - line.len()) as u64);
        tokio::select! {
            biased; // a stop wins over a request that arrives at the same time
            _ = stop.cancelled() => return write.write_all(b"BYE\n").await,
            n = limited.read_until(b'\n', &mut line) => {
                if n? == 0 {
                    return Ok(()); // end of stream (a partial line is dropped)
                }
            }
        }
        if line.last() != Some(&b'\n') {
            if line.len() > MAX_LINE {
                write.write_all(b"ERR line too long\n").await?;
                return close_gently(write, input).await;
            }
            continue; // more of this line to come
        }
        respond(&line, &mut write).await?;
        line.clear();
    }
}
// ANCHOR_END: handle

/// Closing with unread input makes the kernel send a reset, which can destroy
/// the error reply before the client reads it: stop writing, then discard a
/// bounded amount of input for a short while.
async fn close_gently(
    mut write: tokio::net::tcp::OwnedWriteHalf,
    input: BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> io::Result<()> {
    write.shutdown().await?;
    let (mut rest, mut sink) = (input.take(1 << 20), tokio::io::sink());
    let discard = tokio::io::copy(&mut rest, &mut sink);
    let _ = tokio::time::timeout(Duration::from_millis(200), discard).await;
    Ok(())
}

/// Answers one request; each reply is one write (Nagle, Section 3.3).
async fn respond(line: &[u8], write: &mut tokio::net::tcp::OwnedWriteHalf) -> io::Result<()> {
    let text = String::from_utf8_lossy(line);
    let reply = match text.trim_end().split_once(' ') {
        Some(("ECHO", rest)) => format!("OK {rest}\n"),
        Some(("WORK", ms)) => match ms.parse::<u64>() {
            Ok(ms) => {
                // Tells the client its request is under way, then works.
                write.write_all(b"OK started\n").await?;
                tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
                "OK done\n".to_string()
            }
            Err(_) => "ERR bad number\n".to_string(),
        },
        _ => "ERR unknown request\n".to_string(),
    };
    write.write_all(reply.as_bytes()).await
}

// ANCHOR: serve
/// Accepts until `stop` is cancelled, then gives open connections `drain`
/// to finish before aborting them.
pub async fn serve(listener: TcpListener, stop: CancellationToken, drain: Duration) -> Drained {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            // The stop is checked first: a connection that ends because of it
            // is counted by the drain below, not reaped here.
            biased;
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(handle(stream, stop.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Reap finished connections so the set holds only live ones.
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener); // new clients are refused from here on
    let mut report = Drained::default();
    let deadline = tokio::time::sleep(drain);
    tokio::pin!(deadline);
    while !conns.is_empty() {
        tokio::select! {
            Some(_) = conns.join_next() => report.finished += 1,
            _ = &mut deadline => {
                report.aborted = conns.len();
                conns.shutdown().await; // aborts each task, waits for it
            }
        }
    }
    report
}
// ANCHOR_END: serve

//! Three things a socket does beyond read and write: half-close, address reuse
//! over TIME_WAIT, and kernel buffer sizes.

use nix::sys::socket::{getsockopt, setsockopt, sockopt};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: half_close
/// Reads the whole request (until the client's FIN, at most 1 MiB) and replies
/// with its length: the end of the request is the end of the stream.
fn count_bytes(mut s: TcpStream) -> io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let n = io::copy(&mut (&s).take(1 << 20), &mut io::sink())?;
    s.write_all(format!("received {n} bytes\n").as_bytes())
}

fn half_close_demo() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    let server = thread::spawn(move || count_bytes(server));
    client.set_read_timeout(Some(Duration::from_secs(5)))?;
    client.write_all(&[b'.'; 5000])?;
    client.shutdown(Shutdown::Write)?; // sends FIN: "no more from me"
    let mut reply = String::new();
    client.read_to_string(&mut reply)?; // the other direction still works
    print!("half-close: {reply}");
    server.join().expect("server panicked")
}
// ANCHOR_END: half_close

// ANCHOR: reuse
/// Closes a connection from the server's side (so that side enters TIME_WAIT),
/// closes the listener, then binds the same port again. `reuse` is the
/// SO_REUSEADDR flag the listener, and so the accepted socket, carries.
fn rebind_after_close(reuse: bool) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?; // std sets SO_REUSEADDR
    setsockopt(&listener, sockopt::ReuseAddr, &reuse)?;
    let addr = listener.local_addr()?;
    let mut client = TcpStream::connect(addr)?;
    let (server_side, _) = listener.accept()?; // inherits the flag
    drop(server_side); // the server closes first: its side enters TIME_WAIT
    client.set_read_timeout(Some(Duration::from_secs(5)))?;
    let _ = client.read(&mut [0u8; 1])?; // sees the server's FIN
    drop(client);
    drop(listener);
    let in_time_wait = wait_for_time_wait(addr.port());
    let rebind = match TcpListener::bind(addr) {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?}", e.kind()),
    };
    let flag = if reuse { "on " } else { "off" };
    println!("SO_REUSEADDR {flag}: port in TIME_WAIT: {in_time_wait}, bind again: {rebind}");
    Ok(())
}
// ANCHOR_END: reuse

// ANCHOR: buffers
fn buffer_demo() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let s = TcpStream::connect(listener.local_addr()?)?;
    println!(
        "default SO_RCVBUF: {} bytes",
        getsockopt(&s, sockopt::RcvBuf)?
    );
    println!(
        "default SO_SNDBUF: {} bytes",
        getsockopt(&s, sockopt::SndBuf)?
    );
    for size in [16 * 1024, 64 * 1024] {
        setsockopt(&s, sockopt::RcvBuf, &size)?;
        setsockopt(&s, sockopt::SndBuf, &size)?;
        let (rcv, snd) = (
            getsockopt(&s, sockopt::RcvBuf)?,
            getsockopt(&s, sockopt::SndBuf)?,
        );
        println!("asked for {size}: SO_RCVBUF {rcv}, SO_SNDBUF {snd} (kernel doubles it)");
    }
    Ok(())
}
// ANCHOR_END: buffers

/// Polls /proc/net/tcp (Linux) until a connection on `port` is in TIME_WAIT
/// (state 06), for at most two seconds.
fn wait_for_time_wait(port: u16) -> bool {
    let needle = format!(":{port:04X} ");
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if let Ok(table) = std::fs::read_to_string("/proc/net/tcp") {
            let found = table.lines().any(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 3 && format!("{} ", f[1]).ends_with(&needle) && f[3] == "06"
            });
            if found {
                return true;
            }
        }
        thread::sleep(Duration::from_millis(5));
    }
    false
}

fn main() -> io::Result<()> {
    half_close_demo()?;
    let std_sets = getsockopt(&TcpListener::bind("127.0.0.1:0")?, sockopt::ReuseAddr)?;
    println!("std's TcpListener sets SO_REUSEADDR: {std_sets}");
    rebind_after_close(false)?;
    rebind_after_close(true)?;
    buffer_demo()
}

//! Runs the line server on the hand-written reactor (127.0.0.1:0, or the
//! address in the first argument or `LINES_ADDR`), talks to it, and stops it
//! through its Waker. `--serve ADDR` runs the server alone.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use listing_06_11_reactor::{Config, LineServer, Reactor};

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let serve_only = args.first().is_some_and(|a| a == "--serve");
    if serve_only {
        args.remove(0);
    }
    let addr = args
        .first()
        .cloned()
        .or_else(|| std::env::var("LINES_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr)?;
    let local = listener.local_addr()?;
    let config = Config {
        max_connections: 2,
        ..Config::default()
    };
    let idle = Duration::from_millis(300);
    let mut reactor = Reactor::new(listener, config, move || LineServer::new(idle))?;
    if serve_only {
        eprintln!("line server on {local}");
        return reactor.run();
    }
    let handle = reactor.handle();
    let server = std::thread::spawn(move || reactor.run());

    let connect = || -> std::io::Result<BufReader<TcpStream>> {
        let s = TcpStream::connect(local)?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(BufReader::new(s))
    };
    let ask = |c: &mut BufReader<TcpStream>, text: &[u8]| -> std::io::Result<String> {
        c.get_mut().write_all(text)?;
        let mut reply = String::new();
        c.read_line(&mut reply)?;
        Ok(reply.trim_end().to_string())
    };
    let mut a = connect()?;
    let mut b = connect()?;
    println!("a: {}", ask(&mut a, b"hello from a\n")?);
    println!("b: {}", ask(&mut b, b"hello from b\n")?);
    // A line split across two writes is reassembled by the protocol.
    a.get_mut().write_all(b"split ")?;
    println!("a: {}", ask(&mut a, b"line\n")?);
    // The limit is two connections: a third is refused with a reason.
    let mut c = connect()?;
    let mut refusal = String::new();
    c.read_line(&mut refusal)?;
    println!("c: {}", refusal.trim_end());
    println!("b: {}", ask(&mut b, &[b'x'; 2000])?);
    // a says nothing more: its idle timer closes it.
    let mut last = String::new();
    a.read_line(&mut last)?;
    println!("a: {}", last.trim_end());

    handle.shutdown();
    server.join().expect("server thread")?;
    println!("server stopped through its Waker");
    Ok(())
}

//! The server against bad input, many clients, killed peers and its own limits.
//! Every wait is bounded: a client's read times out after `WAIT`.

use listing_03_09_line_server::{Config, LineError, read_line, start};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn server(cfg: Config) -> SocketAddr {
    start("127.0.0.1:0", cfg).expect("bind")
}

fn small() -> Config {
    Config {
        max_line: 64,
        max_conns: 32,
        idle: Duration::from_secs(5),
    }
}

struct Client {
    out: TcpStream,
    input: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let out = TcpStream::connect(addr).expect("connect");
        out.set_read_timeout(Some(WAIT)).unwrap();
        let input = BufReader::new(out.try_clone().unwrap());
        Client { out, input }
    }
    fn send(&mut self, bytes: &[u8]) {
        self.out.write_all(bytes).expect("write");
    }
    /// The next reply line, or `None` at end of stream.
    fn reply(&mut self) -> Option<String> {
        let mut s = String::new();
        match self.input.read_line(&mut s).expect("read (timed out?)") {
            0 => None,
            _ => Some(s.trim_end().to_string()),
        }
    }
    fn ask(&mut self, line: &str) -> Option<String> {
        self.send(format!("{line}\n").as_bytes());
        self.reply()
    }
}

#[test]
fn commands_work() {
    let mut c = Client::connect(server(small()));
    assert_eq!(c.ask("ECHO hi there").as_deref(), Some("OK hi there"));
    assert_eq!(c.ask("UPPER straße").as_deref(), Some("OK STRASSE"));
    assert_eq!(c.ask("ECHO").as_deref(), Some("OK")); // "OK " trimmed
    assert_eq!(c.ask("QUIT").as_deref(), Some("OK bye"));
    assert_eq!(c.reply(), None);
}

#[test]
fn garbage_gets_errors_and_the_connection_survives() {
    let mut c = Client::connect(server(small()));
    c.send(b"\x00\x01\x02binary junk\n");
    assert_eq!(c.reply().as_deref(), Some("ERR unknown command"));
    c.send(b"\xff\xfe\xfd\n");
    assert_eq!(c.reply().as_deref(), Some("ERR invalid UTF-8"));
    c.send(b"ECHO \xc3\n"); // a UTF-8 sequence cut short
    assert_eq!(c.reply().as_deref(), Some("ERR invalid UTF-8"));
    c.send(b"\n");
    assert_eq!(c.reply().as_deref(), Some("ERR unknown command"));
    assert_eq!(c.ask("ECHO still fine").as_deref(), Some("OK still fine"));
}

#[test]
fn a_line_of_exactly_the_limit_is_accepted() {
    let mut c = Client::connect(server(small()));
    let text = "y".repeat(64 - "ECHO ".len());
    assert_eq!(c.ask(&format!("ECHO {text}")), Some(format!("OK {text}")));
}

#[test]
fn an_oversized_line_is_refused_and_the_connection_closed() {
    let addr = server(small());
    let mut c = Client::connect(addr);
    // A megabyte without a newline, written from another thread: the server
    // stops reading, so this writer may fail, which is fine.
    let mut w = c.out.try_clone().unwrap();
    let writer = thread::spawn(move || {
        let _ = w.write_all(&vec![b'z'; 1 << 20]);
    });
    assert_eq!(c.reply().as_deref(), Some("ERR line too long"));
    assert_eq!(c.reply(), None);
    writer.join().unwrap();
    // Other clients are unaffected.
    assert_eq!(
        Client::connect(addr).ask("ECHO ok").as_deref(),
        Some("OK ok")
    );
}

#[test]
fn the_line_buffer_never_grows_beyond_the_cap() {
    let input = vec![b'a'; 10_000];
    let mut r = &input[..];
    let mut buf = Vec::with_capacity(65);
    assert_eq!(read_line(&mut r, &mut buf, 64), Err(LineError::TooLong));
    assert_eq!(buf.len(), 65);
    assert_eq!(buf.capacity(), 65, "read_line must not reallocate");
}

#[test]
fn a_truncated_line_then_half_close_gets_an_error() {
    let mut c = Client::connect(server(small()));
    c.send(b"ECHO half a li");
    c.out.shutdown(Shutdown::Write).unwrap();
    assert_eq!(c.reply().as_deref(), Some("ERR truncated line"));
    assert_eq!(c.reply(), None);
}

#[test]
fn a_truncated_line_then_disconnect_does_not_disturb_others() {
    let addr = server(small());
    let mut other = Client::connect(addr);
    assert_eq!(other.ask("ECHO before").as_deref(), Some("OK before"));
    {
        let mut c = Client::connect(addr);
        c.send(b"UPPER half a li");
    } // dropped mid-line
    assert_eq!(other.ask("ECHO after").as_deref(), Some("OK after"));
}

#[test]
fn a_peer_reset_mid_line_does_not_disturb_others() {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    let addr = server(small());
    let mut other = Client::connect(addr);
    assert_eq!(other.ask("ECHO before").as_deref(), Some("OK before"));
    for _ in 0..20 {
        let mut c = Client::connect(addr);
        c.send(b"ECHO half");
        // Linger 0: close sends a reset instead of a FIN, as a killed peer's
        // kernel does when it has unread data.
        let abort = nix::libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        setsockopt(&c.out, Linger, &abort).unwrap();
    }
    assert_eq!(other.ask("ECHO after").as_deref(), Some("OK after"));
}

#[test]
fn sixteen_concurrent_clients_are_all_served() {
    let addr = server(small());
    let start = Arc::new(Barrier::new(16));
    let clients: Vec<_> = (0..16)
        .map(|id| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let mut c = Client::connect(addr);
                start.wait();
                for i in 0..200 {
                    let line = format!("client {id} line {i}");
                    assert_eq!(
                        c.ask(&format!("UPPER {line}")),
                        Some(format!("OK {}", line.to_uppercase()))
                    );
                }
                200
            })
        })
        .collect();
    let served: usize = clients.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(served, 16 * 200);
}

#[test]
fn connections_beyond_the_cap_are_refused_politely() {
    let addr = server(Config {
        max_conns: 2,
        ..small()
    });
    let mut a = Client::connect(addr);
    let mut b = Client::connect(addr);
    // A reply proves the server has counted the connection.
    assert_eq!(a.ask("ECHO a").as_deref(), Some("OK a"));
    assert_eq!(b.ask("ECHO b").as_deref(), Some("OK b"));
    let mut c = Client::connect(addr);
    assert_eq!(c.reply().as_deref(), Some("ERR busy"));
    assert_eq!(c.reply(), None);
    // Once a client leaves, its slot is free again (when its handler notices).
    drop(a);
    let deadline = Instant::now() + WAIT;
    loop {
        let mut d = Client::connect(addr);
        match d.ask("ECHO d").as_deref() {
            Some("OK d") => break,
            Some("ERR busy") | None => {}
            other => panic!("unexpected reply {other:?}"),
        }
        assert!(Instant::now() < deadline, "the slot was never freed");
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(b.ask("ECHO b").as_deref(), Some("OK b"));
}

#[test]
fn an_idle_client_is_disconnected() {
    let addr = server(Config {
        idle: Duration::from_millis(200),
        ..small()
    });
    let mut c = Client::connect(addr);
    let t = Instant::now();
    assert_eq!(c.reply().as_deref(), Some("ERR idle timeout"));
    assert_eq!(c.reply(), None);
    assert!(t.elapsed() < WAIT);
    // A silent client that never even reads its error does not block others.
    let mut buf = [0u8; 1];
    let _silent = TcpStream::connect(addr).unwrap();
    assert_eq!(Client::connect(addr).ask("ECHO x").as_deref(), Some("OK x"));
    let mut r = TcpStream::connect(addr).unwrap();
    r.set_read_timeout(Some(WAIT)).unwrap();
    let n = r.read(&mut buf).map_err(|e| e.kind());
    assert!(
        matches!(n, Ok(1) | Err(ErrorKind::ConnectionReset)),
        "{n:?}"
    );
}

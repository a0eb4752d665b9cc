//! The server against bad input, killed peers and 1,000 concurrent clients.
//! Every wait is bounded: reads time out after `WAIT`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

// START
use listing_06_22_thread_fib::serve;

fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || serve(listener));
    addr
}
// END

const WAIT: Duration = Duration::from_secs(20);

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
fn answers_fibonacci_numbers() {
    let mut c = Client::connect(start());
    assert_eq!(c.ask("0").as_deref(), Some("0"));
    assert_eq!(c.ask("1").as_deref(), Some("1"));
    assert_eq!(c.ask("10").as_deref(), Some("55"));
    assert_eq!(c.ask(" 20 ").as_deref(), Some("6765"));
    c.send(b"25\r\n");
    assert_eq!(c.reply().as_deref(), Some("75025"));
}

#[test]
fn garbage_gets_an_error_line_and_the_connection_survives() {
    let mut c = Client::connect(start());
    for bad in ["abc", "-1", "4294967296", "", "1.5", "0x10"] {
        assert_eq!(c.ask(bad).as_deref(), Some("ERR not a number"), "{bad:?}");
    }
    c.send(b"\xff\xfe\n");
    assert_eq!(c.reply().as_deref(), Some("ERR not a number"));
    assert_eq!(c.ask("41").as_deref(), Some("ERR n too large (max 40)"));
    assert_eq!(
        c.ask("4000000000").as_deref(),
        Some("ERR n too large (max 40)")
    );
    assert_eq!(c.ask("12").as_deref(), Some("144"));
}

#[test]
fn an_over_long_line_is_refused_and_the_connection_closed() {
    let addr = start();
    let mut c = Client::connect(addr);
    // A megabyte without a newline, from another thread: the server stops
    // reading, so this writer may fail, which is fine.
    let mut w = c.out.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(&vec![b'7'; 1 << 20]);
    });
    assert_eq!(c.reply().as_deref(), Some("ERR line too long"));
    assert_eq!(c.reply(), None);
    writer.join().unwrap();
    assert_eq!(Client::connect(addr).ask("3").as_deref(), Some("2"));
}

#[test]
fn abrupt_disconnects_do_not_disturb_other_clients() {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    let addr = start();
    let mut other = Client::connect(addr);
    assert_eq!(other.ask("5").as_deref(), Some("5"));
    for i in 0..20 {
        let mut c = Client::connect(addr);
        c.send(b"3"); // half a request
        if i % 2 == 0 {
            // Linger 0: close sends a reset, as a killed peer's kernel may.
            let abort = nix::libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            setsockopt(&c.out, Linger, &abort).unwrap();
        }
    }
    // A client that leaves with a long request in progress.
    let mut gone = Client::connect(addr);
    gone.send(b"30\n");
    drop(gone);
    assert_eq!(other.ask("6").as_deref(), Some("8"));
}

#[test]
fn a_thousand_concurrent_clients_get_their_answers() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    const CLIENTS: usize = 1_000;
    let addr = start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let errors = rt.block_on(async move {
        let all_connected = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS));
        let mut tasks = Vec::new();
        for i in 0..CLIENTS {
            let all_connected = all_connected.clone();
            tasks.push(tokio::spawn(tokio::time::timeout(WAIT, async move {
                let stream = tokio::net::TcpStream::connect(addr).await?;
                // Everyone is connected before anyone asks.
                all_connected.wait().await;
                let (r, mut w) = stream.into_split();
                let mut r = tokio::io::BufReader::new(r);
                let n = (i % 20) as u32;
                w.write_all(format!("{n}\n").as_bytes()).await?;
                let mut line = String::new();
                r.read_line(&mut line).await?;
                let want = [
                    0u64, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597,
                    2584, 4181,
                ][n as usize];
                if line.trim_end() != want.to_string() {
                    return Err(std::io::Error::other(format!("fib({n}) gave {line:?}")));
                }
                std::io::Result::Ok(())
            })));
        }
        let mut errors = 0;
        for t in tasks {
            if !matches!(t.await, Ok(Ok(Ok(())))) {
                errors += 1;
            }
        }
        errors
    });
    assert_eq!(errors, 0);
}

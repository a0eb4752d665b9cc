//! The server against bad input, many clients at once, and a peer killed in
//! the middle of a frame. Every wait is bounded by `TIMEOUT`.

use listing_03_29_kv_protocol::{Client, ClientError, Config, Request, Response, Server, code};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
const MAX: usize = 4096;

fn start(config: Config) -> SocketAddr {
    Server::bind("127.0.0.1:0", config)
        .unwrap()
        .spawn()
        .unwrap()
}

fn server() -> SocketAddr {
    start(Config {
        max_frame: MAX,
        ..Config::default()
    })
}

fn client(addr: SocketAddr) -> Client {
    Client::connect(addr, MAX, TIMEOUT).unwrap()
}

fn bytes(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn put(c: &mut Client, k: &str, v: &str) -> Response {
    c.call(&Request::Put {
        key: bytes(k),
        value: bytes(v),
    })
    .unwrap()
}

fn get(c: &mut Client, k: &str) -> Response {
    c.call(&Request::Get { key: bytes(k) }).unwrap()
}

/// Sends raw bytes, then expects one error response with `code` and a closed
/// connection.
fn expect_error_then_close(addr: SocketAddr, raw: &[u8], expected: u16) {
    let mut c = client(addr);
    c.send_raw(raw).unwrap();
    match c.read_response() {
        Ok(Response::Error { code, .. }) => assert_eq!(code, expected, "for {raw:?}"),
        other => panic!("expected an error for {raw:?}, got {other:?}"),
    }
    assert!(c.is_closed(), "connection still open after {raw:?}");
}

/// The server still answers after whatever the test did to it.
fn still_serves(addr: SocketAddr) {
    let mut c = client(addr);
    assert_eq!(put(&mut c, "alive", "yes"), Response::Ok);
    assert_eq!(get(&mut c, "alive"), Response::Value(bytes("yes")));
}

#[test]
fn put_get_delete() {
    let addr = server();
    let mut c = client(addr);
    assert_eq!(get(&mut c, "k"), Response::NotFound);
    assert_eq!(put(&mut c, "k", "v1"), Response::Ok);
    assert_eq!(put(&mut c, "k", "v2"), Response::Ok);
    assert_eq!(get(&mut c, "k"), Response::Value(bytes("v2")));
    assert_eq!(
        c.call(&Request::Delete { key: bytes("k") }).unwrap(),
        Response::Ok
    );
    assert_eq!(
        c.call(&Request::Delete { key: bytes("k") }).unwrap(),
        Response::NotFound
    );
}

#[test]
fn requests_pipelined_in_one_write_are_all_answered() {
    let addr = server();
    let mut c = client(addr);
    let mut raw = Vec::new();
    for i in 0..50 {
        let req = Request::Put {
            key: bytes(&format!("k{i}")),
            value: bytes("v"),
        };
        listing_03_29_kv_protocol::codec::encode(&req.encode().unwrap(), MAX, &mut raw).unwrap();
    }
    c.send_raw(&raw).unwrap();
    for _ in 0..50 {
        assert_eq!(c.read_response().unwrap(), Response::Ok);
    }
}

#[test]
fn garbage_gets_an_error_and_a_close() {
    let addr = server();
    // "GET " read as a length is 1.2 GB: far over the cap.
    expect_error_then_close(addr, b"GET /index.html HTTP/1.1\r\n\r\n", code::BAD_FRAME);
    still_serves(addr);
}

#[test]
fn unknown_type_byte_gets_an_error_and_a_close() {
    let addr = server();
    expect_error_then_close(addr, &[0, 0, 0, 3, 0x42, 1, 2], code::UNKNOWN_TYPE);
    still_serves(addr);
}

#[test]
fn malformed_fields_get_an_error() {
    let addr = server();
    // GET whose key length (0x0100) runs past the end of the frame.
    expect_error_then_close(addr, &[0, 0, 0, 4, 0x01, 0x01, 0x00, b'k'], code::MALFORMED);
    // GET with a byte left over after the key.
    expect_error_then_close(addr, &[0, 0, 0, 5, 0x01, 0, 1, b'k', 9], code::MALFORMED);
    // An empty frame.
    expect_error_then_close(addr, &[0, 0, 0, 0], code::MALFORMED);
    still_serves(addr);
}

#[test]
fn four_gib_prefix_gets_an_error_and_a_close() {
    let addr = server();
    expect_error_then_close(addr, &[0xff, 0xff, 0xff, 0xff, 0x01], code::BAD_FRAME);
    still_serves(addr);
}

#[test]
fn truncated_frame_then_end_of_stream() {
    let addr = server();
    let mut c = client(addr);
    // A frame announcing 100 bytes, 10 of them sent, then our side closed.
    c.send_raw(&[0, 0, 0, 100, 0x02, 0, 1, b'k', 0, 0, 0, 90, b'v', b'v'])
        .unwrap();
    c.stream().shutdown(Shutdown::Write).unwrap();
    match c.read_response() {
        Ok(Response::Error { code, msg }) => {
            assert_eq!(code, code::BAD_FRAME);
            assert!(msg.contains("ended inside a frame"), "{msg}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(c.is_closed());
    // The partial PUT must not have been applied.
    let mut c = client(addr);
    assert_eq!(get(&mut c, "k"), Response::NotFound);
}

#[test]
fn silent_client_is_disconnected_after_the_read_timeout() {
    let addr = start(Config {
        max_frame: MAX,
        read_timeout: Duration::from_millis(200),
        ..Config::default()
    });
    let mut c = client(addr);
    c.send_raw(&[0, 0]).unwrap(); // half a prefix, then silence
    // The client's own timeout (10 s) is far longer: the close comes from
    // the server.
    let started = std::time::Instant::now();
    assert!(matches!(
        c.read_response(),
        Err(ClientError::Closed) | Err(ClientError::Io(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(5));
    still_serves(addr);
}

#[test]
fn connections_over_the_cap_are_refused_busy() {
    let addr = start(Config {
        max_frame: MAX,
        max_connections: 2,
        ..Config::default()
    });
    let mut a = client(addr);
    let mut b = client(addr);
    // Both are served, so both hold their slot.
    assert_eq!(put(&mut a, "a", "1"), Response::Ok);
    assert_eq!(put(&mut b, "b", "2"), Response::Ok);
    let mut c = client(addr);
    match c.read_response() {
        Ok(Response::Error { code, .. }) => assert_eq!(code, code::BUSY),
        other => panic!("expected BUSY, got {other:?}"),
    }
    assert!(c.is_closed());
    // A slot frees when a client leaves (the server notices within a moment).
    drop(a);
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let mut d = client(addr);
        match d.call(&Request::Get { key: bytes("b") }) {
            Ok(Response::Value(v)) => {
                assert_eq!(v, bytes("2"));
                break;
            }
            _ if std::time::Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            other => panic!("slot never freed: {other:?}"),
        }
    }
}

#[test]
fn sixteen_concurrent_clients() {
    let addr = server();
    let (tx, rx) = mpsc::channel();
    for t in 0..16 {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut c = client(addr);
            let mut ok = 0;
            for i in 0..200 {
                let (k, v) = (format!("t{t}-k{i}"), format!("value {i} of client {t}"));
                ok += usize::from(put(&mut c, &k, &v) == Response::Ok);
                ok += usize::from(get(&mut c, &k) == Response::Value(bytes(&v)));
            }
            let _ = tx.send(ok);
        });
    }
    drop(tx);
    for _ in 0..16 {
        assert_eq!(rx.recv_timeout(TIMEOUT * 3).expect("a client hung"), 400);
    }
}

/// Run by `killed_peer_mid_frame_leaves_others_alone` in a child process:
/// connects, sends half a frame, says so, and waits to be killed.
#[test]
fn killed_peer_child() {
    let Ok(addr) = std::env::var("KV_TEST_CHILD_ADDR") else {
        return;
    };
    let mut s = TcpStream::connect(addr.as_str()).unwrap();
    s.write_all(&[0, 0, 0, 50, 0x02, 0, 3, b'k', b'e']).unwrap();
    println!("CHILD-READY");
    std::io::stdout().flush().unwrap();
    // Bounded: if nobody kills us, we leave on our own.
    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = s.read(&mut [0u8; 1]);
}

#[test]
fn killed_peer_mid_frame_leaves_others_alone() {
    let addr = server();
    let mut others: Vec<Client> = (0..8).map(|_| client(addr)).collect();
    for (i, c) in others.iter_mut().enumerate() {
        assert_eq!(put(c, &format!("before{i}"), "x"), Response::Ok);
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "killed_peer_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("KV_TEST_CHILD_ADDR", addr.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("CHILD-READY") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(TIMEOUT)
        .expect("child never sent its half frame");
    // Others keep working while the half frame sits in the server.
    for (i, c) in others.iter_mut().enumerate() {
        assert_eq!(get(c, &format!("before{i}")), Response::Value(bytes("x")));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for (i, c) in others.iter_mut().enumerate() {
        assert_eq!(put(c, &format!("after{i}"), "y"), Response::Ok);
        assert_eq!(get(c, &format!("after{i}")), Response::Value(bytes("y")));
    }
    // The killed peer's partial PUT was never applied.
    assert_eq!(get(&mut others[0], "ke"), Response::NotFound);
    still_serves(addr);
}

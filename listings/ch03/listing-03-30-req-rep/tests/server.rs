//! The server under hostile and concurrent use. Every wait is bounded: client
//! sockets time out, raw TCP reads have a read timeout.

use listing_03_30_req_rep::{Client, ClientError, MAX_REQUEST, bind, serve};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

/// A server on a free port, stopped and joined when dropped.
struct Server {
    ctx: zmq::Context,
    endpoint: String,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<zmq::Result<u64>>>,
}

impl Server {
    fn start() -> Server {
        let ctx = zmq::Context::new();
        let (socket, endpoint) = bind(&ctx, "tcp://127.0.0.1:*").unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = Some(thread::spawn(move || serve(&socket, &flag)));
        Server {
            ctx,
            endpoint,
            stop,
            thread,
        }
    }

    fn client(&self, timeout: Duration) -> Client {
        Client::connect(&self.ctx, &self.endpoint, timeout).unwrap()
    }

    /// "host:port" for raw TCP connections.
    fn addr(&self) -> &str {
        self.endpoint.trim_start_matches("tcp://")
    }

    /// Stops the server and returns how many requests it answered.
    fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.take().unwrap();
        thread.join().unwrap().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn malformed_requests_get_error_replies() {
    let server = Server::start();
    let mut client = server.client(TIMEOUT);
    let cases: [(&[u8], &str); 7] = [
        (b"\xff\xfe\xfd", "error: request is not UTF-8"),
        (b"", "error: empty request"),
        (b"launch missiles", "error: unknown command \"launch\""),
        (b"add 1", "error: bad argument: add takes two integers"),
        (
            b"add 9223372036854775807 1",
            "error: bad argument: sum overflows i64",
        ),
        (
            b"add one two",
            "error: bad argument: add takes two integers",
        ),
        (b"ping", "ok pong"),
    ];
    for (request, expected) in cases {
        assert_eq!(client.request(request).unwrap(), expected);
    }
    // A request of exactly the cap is fine.
    let mut big = b"upper ".to_vec();
    big.resize(MAX_REQUEST, b'a');
    let reply = client.request(&big).unwrap();
    assert_eq!(reply.len(), "ok ".len() + MAX_REQUEST - "upper ".len());
    assert_eq!(server.stop(), 8);
}

#[test]
fn multipart_request_gets_an_error_reply() {
    let server = Server::start();
    let req = server.ctx.socket(zmq::REQ).unwrap();
    req.set_rcvtimeo(5000).unwrap();
    req.set_linger(0).unwrap();
    req.connect(&server.endpoint).unwrap();
    req.send_multipart(["ping", "and", "more"], 0).unwrap();
    let reply = req.recv_string(0).unwrap().unwrap();
    assert_eq!(reply, "error: expected 1 frame, got 3");
}

#[test]
fn eight_concurrent_clients_each_get_their_own_answers() {
    let server = Server::start();
    const CLIENTS: i64 = 8;
    const REQUESTS: i64 = 200;
    thread::scope(|s| {
        for c in 0..CLIENTS {
            let mut client = server.client(TIMEOUT);
            s.spawn(move || {
                for i in 0..REQUESTS {
                    let reply = client.request(format!("add {c} {}", i * 1000).as_bytes());
                    assert_eq!(reply.unwrap(), format!("ok {}", c + i * 1000));
                }
            });
        }
    });
    assert_eq!(server.stop(), (CLIENTS * REQUESTS) as u64);
}

#[test]
fn oversized_request_drops_that_connection_only() {
    let server = Server::start();
    let mut client = server.client(Duration::from_millis(300));
    let huge = vec![b'a'; MAX_REQUEST + 1];
    // libzmq closes the connection when the frame header announces more
    // than MAX_REQUEST bytes: the request vanishes and no reply comes.
    assert!(matches!(client.request(&huge), Err(ClientError::Timeout)));
    // The server is unharmed, and the client's fresh socket works.
    assert_eq!(client.request(b"ping").unwrap(), "ok pong");
    assert_eq!(server.stop(), 1);
}

/// Reads until the server closes the connection; false on timeout.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

// ANCHOR: zmtp
/// Greets a ZeroMQ peer by hand, as a REQ socket does: ZMTP 3.0's 64-byte
/// greeting (signature, version 3.0, security mechanism NULL), then the
/// READY command that names the socket type. The greeting goes in two parts,
/// as libzmq sends its own: libzmq 4.3 did not accept one sent whole before
/// its own signature had gone out.
fn zmtp_handshake(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0];
    greeting.extend_from_slice(b"NULL");
    greeting.resize(64, 0);
    let mut peer = [0u8; 64];
    stream.write_all(&greeting[..10])?;
    stream.read_exact(&mut peer[..10])?;
    stream.write_all(&greeting[10..])?;
    stream.read_exact(&mut peer[10..])?;
    let mut ready = b"\x05READY\x0bSocket-Type".to_vec();
    ready.extend_from_slice(&3u32.to_be_bytes());
    ready.extend_from_slice(b"REQ");
    stream.write_all(&[0x04, ready.len() as u8])?; // flags COMMAND, short size
    stream.write_all(&ready)?;
    let mut header = [0u8; 2]; // the server's READY, also a short command
    stream.read_exact(&mut header)?;
    stream.read_exact(&mut vec![0; usize::from(header[1])])
}

#[test]
fn frame_announcing_a_gigabyte_is_refused_before_its_body_arrives() {
    let server = Server::start();
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    zmtp_handshake(&mut raw).unwrap();
    // A well-formed request: an empty delimiter frame (flags MORE), "ping".
    raw.write_all(b"\x01\x00\x00\x04ping").unwrap();
    let mut reply = [0u8; 11];
    raw.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"\x01\x00\x00\x07ok pong");
    // The delimiter again, then a long frame (flags LONG) announcing 1 GiB.
    raw.write_all(&[0x01, 0x00, 0x02]).unwrap();
    raw.write_all(&(1u64 << 30).to_be_bytes()).unwrap();
    assert!(
        closed_by_server(&mut raw),
        "server kept the connection open"
    );
    let mut client = server.client(TIMEOUT);
    assert_eq!(client.request(b"ping").unwrap(), "ok pong");
}
// ANCHOR_END: zmtp

#[test]
fn clients_that_vanish_do_not_disturb_the_server() {
    let server = Server::start();
    // Peers that die mid-message: half a greeting, a handshake and half a
    // frame, and bytes that are not ZMTP at all.
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    raw.write_all(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3])
        .unwrap();
    drop(raw);
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    zmtp_handshake(&mut raw).unwrap();
    raw.write_all(&[0x00, 200, b'x']).unwrap();
    drop(raw);
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    raw.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    drop(raw);
    // REQ clients that send a request and close before the reply: the
    // server answers into the void (libzmq discards the reply).
    for i in 0..20 {
        let req = server.ctx.socket(zmq::REQ).unwrap();
        req.set_linger(1000).unwrap(); // close waits until the request is sent
        req.connect(&server.endpoint).unwrap();
        req.send(format!("upper gone {i}").as_bytes(), 0).unwrap();
        drop(req);
    }
    let mut client = server.client(TIMEOUT);
    for i in 0..50 {
        let reply = client.request(format!("add {i} 1").as_bytes()).unwrap();
        assert_eq!(reply, format!("ok {}", i + 1));
    }
    let answered = server.stop();
    // The 50 requests, plus those of the vanished clients that arrived.
    assert!((50..=70).contains(&answered), "answered {answered}");
}

#[test]
fn a_dead_server_makes_the_client_give_up_not_hang() {
    let server = Server::start();
    let endpoint = server.endpoint.clone();
    let ctx = server.ctx.clone();
    let mut client = Client::connect(&ctx, &endpoint, Duration::from_millis(100)).unwrap();
    assert_eq!(client.request(b"ping").unwrap(), "ok pong");
    server.stop();
    let started = std::time::Instant::now();
    assert!(matches!(
        client.request_retrying(b"ping", 3),
        Err(ClientError::Timeout)
    ));
    assert!(started.elapsed() < Duration::from_secs(5));
}

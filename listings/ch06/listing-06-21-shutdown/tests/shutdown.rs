//! Load, bad input, vanished peers, and the shutdown itself. Bounded waits.

use listing_06_21_shutdown::{Drained, MAX_LINE, serve};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);

async fn start(drain: Duration) -> (SocketAddr, CancellationToken, JoinHandle<Drained>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    (
        addr,
        stop.clone(),
        tokio::spawn(serve(listener, stop, drain)),
    )
}

struct Client(BufReader<TcpStream>);

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        Client(BufReader::new(TcpStream::connect(addr).await.unwrap()))
    }
    async fn send(&mut self, bytes: &[u8]) {
        self.0.get_mut().write_all(bytes).await.unwrap();
    }
    /// The next line, or None at end of stream.
    async fn line(&mut self) -> Option<String> {
        let mut s = String::new();
        let n = timeout(WAIT, self.0.read_line(&mut s))
            .await
            .expect("reply within WAIT")
            .unwrap();
        (n > 0).then(|| s.trim_end().to_string())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_clients_see_no_errors() {
    const N: usize = 1000;
    let (addr, _stop, _server) = start(WAIT).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(N));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..N {
        let barrier = barrier.clone();
        set.spawn(async move {
            let mut s = BufReader::new(TcpStream::connect(addr).await?);
            barrier.wait().await;
            s.get_mut()
                .write_all(format!("ECHO {i}\n").as_bytes())
                .await?;
            let mut line = String::new();
            s.read_line(&mut line).await?;
            if line != format!("OK {i}\n") {
                return Err(std::io::Error::other(line));
            }
            Ok::<_, std::io::Error>(())
        });
    }
    let errors = timeout(Duration::from_secs(30), async {
        let mut errors = 0;
        while let Some(r) = set.join_next().await {
            errors += usize::from(!matches!(r, Ok(Ok(()))));
        }
        errors
    })
    .await
    .expect("bounded");
    assert_eq!(errors, 0);
}

#[tokio::test]
async fn requests_and_bad_requests() {
    let (addr, _stop, _server) = start(WAIT).await;
    let mut c = Client::connect(addr).await;
    c.send(b"ECHO hi\n").await;
    assert_eq!(c.line().await.as_deref(), Some("OK hi"));
    c.send(b"\xff\xfe junk\n").await;
    assert_eq!(c.line().await.as_deref(), Some("ERR unknown request"));
    c.send(b"WORK 1\n").await;
    assert_eq!(c.line().await.as_deref(), Some("OK started"));
    assert_eq!(c.line().await.as_deref(), Some("OK done"));
    c.send(b"WORK lots\n").await;
    assert_eq!(c.line().await.as_deref(), Some("ERR bad number"));
    // A line sent in pieces is reassembled.
    c.send(b"ECHO in ").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    c.send(b"pieces\n").await;
    assert_eq!(c.line().await.as_deref(), Some("OK in pieces"));
}

#[tokio::test]
async fn an_oversized_line_is_refused_with_bounded_reading() {
    let (addr, _stop, _server) = start(WAIT).await;
    let mut c = Client::connect(addr).await;
    // Exactly the limit (newline excluded) is fine.
    let ok = format!("ECHO {}\n", "y".repeat(MAX_LINE - 5));
    c.send(ok.as_bytes()).await;
    assert_eq!(c.line().await.unwrap().len(), MAX_LINE - 2);
    let mut big = Client::connect(addr).await;
    let w = tokio::spawn(async move {
        // The server stops reading: this write may fail, which is fine.
        let _ = big.0.get_mut().write_all(&vec![b'z'; 1 << 20]).await;
        big
    });
    let mut big = timeout(WAIT, w).await.expect("bounded").unwrap();
    assert_eq!(big.line().await.as_deref(), Some("ERR line too long"));
}

#[tokio::test]
async fn vanished_peers_do_not_disturb_others() {
    let (addr, _stop, _server) = start(WAIT).await;
    let mut other = Client::connect(addr).await;
    for _ in 0..50 {
        let mut c = Client::connect(addr).await;
        c.send(b"ECHO half a li").await; // then dropped mid-line
    }
    for _ in 0..50 {
        let mut c = Client::connect(addr).await;
        c.send(b"WORK 5\n").await; // dropped before the reply
    }
    other.send(b"ECHO fine\n").await;
    assert_eq!(other.line().await.as_deref(), Some("OK fine"));
}

#[tokio::test]
async fn shutdown_drains_finishes_requests_and_aborts_at_the_deadline() {
    // The short request (100 ms) must end inside the drain, the long one
    // (60 s) must not: a wide margin on each side keeps a loaded machine
    // from changing which is which.
    let drain = Duration::from_secs(1);
    let (addr, stop, server) = start(drain).await;
    let mut idle = Client::connect(addr).await;
    let mut short = Client::connect(addr).await;
    let mut long = Client::connect(addr).await;
    let mut partial = Client::connect(addr).await;
    // Every request is under way before the stop (each was answered).
    short.send(b"WORK 100\n").await;
    assert_eq!(short.line().await.as_deref(), Some("OK started"));
    long.send(b"WORK 60000\n").await;
    assert_eq!(long.line().await.as_deref(), Some("OK started"));
    idle.send(b"ECHO ready\n").await;
    assert_eq!(idle.line().await.as_deref(), Some("OK ready"));
    partial.send(b"ECHO ready\nECHO not fini").await;
    assert_eq!(partial.line().await.as_deref(), Some("OK ready"));
    let t0 = Instant::now();
    stop.cancel();
    let report = timeout(WAIT, server).await.expect("bounded").unwrap();
    let took = t0.elapsed();
    assert_eq!(
        report,
        Drained {
            finished: 3,
            aborted: 1
        }
    );
    // A lower bound only: the upper one is the `timeout` above (far below
    // the long request's 60 s) together with `aborted: 1`.
    assert!(took >= drain, "{took:?}");
    assert_eq!(idle.line().await.as_deref(), Some("BYE"));
    assert_eq!(short.line().await.as_deref(), Some("OK done"));
    assert_eq!(short.line().await.as_deref(), Some("BYE"));
    assert_eq!(partial.line().await.as_deref(), Some("BYE"));
    assert_eq!(long.line().await, None); // aborted: closed without a reply
    let mut rest = Vec::new();
    let _ = timeout(WAIT, long.0.read_to_end(&mut rest)).await;
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

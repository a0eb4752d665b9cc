//! The Calc server under load, bad input, dead peers and deadlines.

use std::time::Duration;

use listing_05_17_tarpc_service::{CalcClient, MAX_IN_FLIGHT, connect, serve, within};
use tarpc::client::RpcError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::time::timeout;

const T: Duration = Duration::from_secs(5);

async fn start() -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stop_rx) = oneshot::channel();
    tokio::spawn(serve(listener, stop_rx));
    (addr, stop)
}

async fn works(calc: &CalcClient) {
    assert_eq!(calc.add(within(T), 20, 22).await.unwrap(), Ok(42));
}

/// Sends raw bytes and expects the server to close the connection promptly.
async fn closed_after(addr: &str, bytes: &[u8]) {
    let mut raw = TcpStream::connect(addr).await.unwrap();
    raw.write_all(bytes).await.unwrap();
    let mut buf = [0u8; 64];
    let n = timeout(Duration::from_secs(3), raw.read(&mut buf))
        .await
        .expect("server must close a bad connection, not wait");
    assert!(matches!(n, Ok(0) | Err(_)), "expected EOF, got {n:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_connections() {
    let (addr, _stop) = start().await;
    let run = async {
        // Connect all first, so 1,000 connections are open at once.
        let mut clients = Vec::new();
        for _ in 0..1000 {
            clients.push(connect(&addr).await.unwrap());
        }
        let calls = clients.iter().enumerate().map(|(i, c)| {
            let i = i as i64;
            async move { c.add(within(Duration::from_secs(10)), i, 1).await }
        });
        let results = futures::future::join_all(calls).await;
        let mut errors = 0;
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(Ok(v)) if v == i as i64 + 1 => {}
                _ => errors += 1,
            }
        }
        errors
    };
    let errors = timeout(Duration::from_secs(30), run)
        .await
        .expect("bounded");
    assert_eq!(errors, 0);
}

#[tokio::test]
async fn garbage_closes_only_that_connection() {
    let (addr, _stop) = start().await;
    let calc = connect(&addr).await.unwrap();
    works(&calc).await;
    // A well-formed frame whose body is not a JSON request.
    let mut bytes = 8u32.to_be_bytes().to_vec();
    bytes.extend_from_slice(&[0xff; 8]);
    closed_after(&addr, &bytes).await;
    works(&calc).await;
}

#[tokio::test]
async fn four_gib_length_claim_is_refused_unread() {
    let (addr, _stop) = start().await;
    let calc = connect(&addr).await.unwrap();
    closed_after(&addr, &u32::MAX.to_be_bytes()).await;
    // One byte over the cap is refused too.
    closed_after(&addr, &(64 * 1024 + 1u32).to_be_bytes()).await;
    works(&calc).await;
}

#[tokio::test]
async fn truncated_frame_and_vanished_peer() {
    let (addr, _stop) = start().await;
    let calc = connect(&addr).await.unwrap();
    for _ in 0..20 {
        let mut raw = TcpStream::connect(&addr).await.unwrap();
        let mut bytes = 100u32.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[1; 10]);
        raw.write_all(&bytes).await.unwrap();
        drop(raw); // dies mid-frame
    }
    works(&calc).await;
}

#[tokio::test]
async fn expired_deadline_fails_within_bound() {
    let (addr, _stop) = start().await;
    let calc = connect(&addr).await.unwrap();
    // The handler would answer after 5 s; `DeadlineExceeded` can only be the
    // 100 ms deadline. The outer bound catches a hang, and times nothing.
    let r = timeout(T, calc.sleep(within(Duration::from_millis(100)), 5_000))
        .await
        .expect("the deadline bounds the call");
    assert!(matches!(r, Err(RpcError::DeadlineExceeded)), "{r:?}");
    works(&calc).await;
}

#[tokio::test]
async fn requests_in_flight_are_capped_per_connection() {
    let (addr, _stop) = start().await;
    let calc = connect(&addr).await.unwrap();
    // Each call holds its slot for 1.5 s: far longer than reading the
    // other requests takes, even on a loaded machine.
    let calls = (0..MAX_IN_FLIGHT * 2).map(|_| calc.sleep(within(T), 1500));
    let results = timeout(T, futures::future::join_all(calls)).await.unwrap();
    let ok = results.iter().filter(|r| matches!(r, Ok(1500))).count();
    let throttled = results
        .iter()
        .filter(|r| matches!(r, Err(RpcError::Server(e)) if e.detail.contains("throttled")))
        .count();
    assert_eq!(ok + throttled, MAX_IN_FLIGHT * 2, "{results:?}");
    assert!(
        ok >= MAX_IN_FLIGHT && throttled > 0,
        "ok {ok} throttled {throttled}"
    );
    // Another connection is not affected by this one's limit.
    works(&connect(&addr).await.unwrap()).await;
}

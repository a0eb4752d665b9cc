//! The hand-written protocol under load, bad input and dead peers.

use std::time::Duration;

use listing_05_18_by_hand::{Client, Envelope, MAX_FRAME, Request, Response, serve, write_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const T: Duration = Duration::from_secs(5);

async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(serve(listener));
    addr
}

async fn closed_after(addr: &str, bytes: &[u8]) {
    let mut raw = TcpStream::connect(addr).await.unwrap();
    raw.write_all(bytes).await.unwrap();
    let mut buf = [0u8; 16];
    let n = timeout(Duration::from_secs(3), raw.read(&mut buf))
        .await
        .expect("closed in time");
    assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
}

async fn works(c: &Client) {
    assert_eq!(
        c.call(Request::Add(20, 22), T).await.unwrap(),
        Response::Add(Some(42))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_connections() {
    let addr = start().await;
    let run = async {
        let mut clients = Vec::new();
        for _ in 0..1000 {
            clients.push(Client::connect(&addr).await.unwrap());
        }
        let calls = clients.iter().enumerate().map(|(i, c)| async move {
            let r = c
                .call(Request::Add(i as i64, 1), Duration::from_secs(10))
                .await;
            matches!(r, Ok(Response::Add(Some(v))) if v == i as i64 + 1)
        });
        futures::future::join_all(calls)
            .await
            .into_iter()
            .filter(|ok| !ok)
            .count()
    };
    assert_eq!(timeout(Duration::from_secs(30), run).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_find_their_callers_on_one_connection() {
    let addr = start().await;
    let c = Client::connect(&addr).await.unwrap();
    // Later requests sleep less, so replies come back in reverse order.
    let calls = (0..200u64).map(|i| {
        let c = &c;
        async move { c.call(Request::Sleep(200 - i), T).await.unwrap() == Response::Sleep(200 - i) }
    });
    assert!(
        futures::future::join_all(calls)
            .await
            .into_iter()
            .all(|ok| ok)
    );
}

#[tokio::test]
async fn bad_input_closes_only_that_connection() {
    let addr = start().await;
    let c = Client::connect(&addr).await.unwrap();
    let mut garbage = 3u32.to_be_bytes().to_vec();
    garbage.extend_from_slice(&[0xff, 0xff, 0xff]);
    closed_after(&addr, &garbage).await;
    closed_after(&addr, &u32::MAX.to_be_bytes()).await; // 4 GiB claim
    closed_after(&addr, &(MAX_FRAME as u32 + 1).to_be_bytes()).await;
    works(&c).await;
}

#[tokio::test]
async fn peer_dying_mid_frame_or_mid_call() {
    let addr = start().await;
    let c = Client::connect(&addr).await.unwrap();
    for _ in 0..20 {
        let mut raw = TcpStream::connect(&addr).await.unwrap();
        let mut half = 100u32.to_be_bytes().to_vec();
        half.extend_from_slice(&[0; 10]);
        raw.write_all(&half).await.unwrap();
    }
    // A client that sends a slow request and vanishes before the reply.
    let mut raw = TcpStream::connect(&addr).await.unwrap();
    let body = postcard::to_allocvec(&Envelope {
        id: 7,
        body: Request::Sleep(100),
    })
    .unwrap();
    write_frame(&mut raw, &body).await.unwrap();
    drop(raw);
    tokio::time::sleep(Duration::from_millis(200)).await;
    works(&c).await;
}

#[tokio::test]
async fn deadline_and_lost_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = tokio::spawn(async move {
        // Accept one connection, read a little, then die.
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4];
        let _ = s.read(&mut buf).await;
    });
    let c = Client::connect(&addr).await.unwrap();
    let r = c.call(Request::Add(1, 1), T).await;
    server.await.unwrap();
    let e = r.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");

    let addr = start().await;
    let c = Client::connect(&addr).await.unwrap();
    let e = c
        .call(Request::Sleep(2000), Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    works(&c).await;
}

//! Bad input gets a typed error reply, never a panic; a peer that vanishes
//! mid-frame frees its slot.

use listing_05_02_bank_server::{Client, ClientError, Config, Server, ServerError, protocol};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

const LIMIT: Duration = Duration::from_secs(5);

async fn start(config: Config) -> (SocketAddr, watch::Sender<bool>) {
    let server = Server::bind("127.0.0.1:0", config).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(server.run(stopped));
    (addr, stop)
}

/// Writes raw bytes, then reads everything the server sends until it closes.
async fn raw_exchange(addr: SocketAddr, bytes: &[u8], half_close: bool) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    if half_close {
        s.shutdown().await.unwrap();
    }
    let mut out = Vec::new();
    tokio::time::timeout(LIMIT, s.read_to_end(&mut out))
        .await
        .expect("server closed within the limit")
        .unwrap();
    out
}

fn reply_error(bytes: &[u8]) -> ServerError {
    let len = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
    let reply: protocol::Reply = protocol::decode(&bytes[4..4 + len]).unwrap();
    reply.result.unwrap_err()
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut f = (payload.len() as u32).to_be_bytes().to_vec();
    f.extend_from_slice(payload);
    f
}

#[tokio::test]
async fn a_4_gib_length_claim_is_too_large() {
    let (addr, _stop) = start(Config::default()).await;
    let out = raw_exchange(addr, &[0xff, 0xff, 0xff, 0xff, 1, 2, 3], false).await;
    assert!(matches!(reply_error(&out), ServerError::TooLarge { .. }));
}

#[tokio::test]
async fn a_truncated_frame_is_malformed() {
    let (addr, _stop) = start(Config::default()).await;
    let out = raw_exchange(addr, &[0, 0, 0, 50, 2, 1], true).await;
    assert!(matches!(reply_error(&out), ServerError::Malformed(_)));
}

#[tokio::test]
async fn garbage_in_a_frame_is_malformed() {
    let (addr, _stop) = start(Config::default()).await;
    let out = raw_exchange(addr, &frame(&[2, 1, 9, 9, 9]), false).await;
    assert!(matches!(reply_error(&out), ServerError::Malformed(_)));
}

#[tokio::test]
async fn an_old_client_is_told_the_versions() {
    let (addr, _stop) = start(Config::default()).await;
    let out = raw_exchange(addr, &frame(&[1, 1, 0, 1, b'a']), false).await;
    assert_eq!(
        reply_error(&out),
        ServerError::Version {
            server: protocol::VERSION,
            client: 1
        }
    );
}

#[tokio::test]
async fn a_peer_gone_mid_frame_frees_its_slot() {
    // One slot: if the vanished peer kept it, the next client would be Busy.
    let (addr, _stop) = start(Config {
        max_connections: 1,
        ..Config::default()
    })
    .await;
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(&[0, 0, 1, 0, 2, 7]).await.unwrap();
        drop(s); // gone in the middle of a 256-byte frame
        let mut ok = false;
        // The slot frees when the server notices; give it a bounded time.
        for _ in 0..250 {
            let mut c = Client::connect(addr, LIMIT, LIMIT).await.unwrap();
            match c.balance("alice").await {
                Ok(0) => {
                    ok = true;
                    break;
                }
                Err(ClientError::Server(ServerError::Busy))
                | Err(ClientError::Io(_))
                | Err(ClientError::Closed) => tokio::time::sleep(Duration::from_millis(20)).await,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(ok, "slot never freed");
    }
}

#[tokio::test]
async fn connections_over_the_cap_are_told_busy() {
    let (addr, _stop) = start(Config {
        max_connections: 2,
        ..Config::default()
    })
    .await;
    let mut a = Client::connect(addr, LIMIT, LIMIT).await.unwrap();
    let mut b = Client::connect(addr, LIMIT, LIMIT).await.unwrap();
    a.balance("x").await.unwrap();
    b.balance("x").await.unwrap();
    let out = raw_exchange(addr, &[], false).await;
    assert_eq!(reply_error(&out), ServerError::Busy);
}

#[tokio::test]
async fn an_idle_peer_is_disconnected() {
    let (addr, _stop) = start(Config {
        idle_timeout: Duration::from_millis(200),
        ..Config::default()
    })
    .await;
    let out = raw_exchange(addr, &[], false).await;
    assert!(out.is_empty());
}

#[tokio::test]
async fn accounts_and_remembered_keys_are_capped() {
    let (addr, _stop) = start(Config {
        max_accounts: 2,
        remembered_keys: 2,
        ..Config::default()
    })
    .await;
    let mut c = Client::connect(addr, LIMIT, LIMIT).await.unwrap();
    c.deposit("a", 1, 1).await.unwrap();
    c.deposit("b", 1, 2).await.unwrap();
    assert!(matches!(
        c.deposit("c", 1, 3).await,
        Err(ClientError::Server(ServerError::TooManyAccounts))
    ));
    // Keys 1 and 2 remembered: retries change nothing.
    assert_eq!(c.deposit("a", 1, 1).await.unwrap(), 1);
    c.deposit("a", 1, 4).await.unwrap();
    c.deposit("a", 1, 5).await.unwrap();
    // Key 1 is forgotten now (only 2 kept): a very late retry applies again.
    assert_eq!(c.deposit("a", 1, 1).await.unwrap(), 4);
}

//! A lost reply and a retry: a new key applies the deposit twice, the same
//! key once, even when the duplicates race each other.

use listing_05_02_bank_server::{Client, Config, Server, faults, new_key};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;

const LIMIT: Duration = Duration::from_secs(5);

async fn start() -> (SocketAddr, watch::Sender<bool>) {
    let server = Server::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(server.run(stopped));
    (addr, stop)
}

async fn balance(addr: SocketAddr) -> u64 {
    let mut c = Client::connect(addr, LIMIT, LIMIT).await.unwrap();
    c.balance("alice").await.unwrap()
}

/// One attempt through `proxy`; `Err` if the reply was lost.
async fn attempt(proxy: SocketAddr, key: u128) -> Result<u64, String> {
    let mut c = Client::connect(proxy, LIMIT, LIMIT)
        .await
        .map_err(|e| e.to_string())?;
    c.deposit("alice", 100, key)
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_retry_with_a_new_key_applies_twice() {
    let (bank, _stop) = start().await;
    let proxy = faults::lossy_proxy(bank, 1).await.unwrap();
    assert!(
        attempt(proxy, new_key()).await.is_err(),
        "first reply is lost"
    );
    assert_eq!(attempt(proxy, new_key()).await, Ok(200));
    assert_eq!(balance(bank).await, 200);
}

#[tokio::test]
async fn a_retry_with_the_same_key_applies_once() {
    let (bank, _stop) = start().await;
    let proxy = faults::lossy_proxy(bank, 2).await.unwrap();
    let key = new_key();
    assert!(attempt(proxy, key).await.is_err());
    assert!(attempt(proxy, key).await.is_err());
    // The third attempt gets the answer the first one lost.
    assert_eq!(attempt(proxy, key).await, Ok(100));
    assert_eq!(balance(bank).await, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_duplicates_apply_once() {
    let (bank, _stop) = start().await;
    let key = new_key();
    let tries: Vec<_> = (0..20).map(|_| tokio::spawn(attempt(bank, key))).collect();
    for t in tries {
        assert_eq!(
            tokio::time::timeout(LIMIT, t).await.unwrap().unwrap(),
            Ok(100)
        );
    }
    assert_eq!(balance(bank).await, 100);
}

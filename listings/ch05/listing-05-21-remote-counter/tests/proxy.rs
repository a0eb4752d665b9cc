//! The proxy against a server that dies, restarts, and gets bad requests.

use std::time::Duration;

use listing_05_21_remote_counter::{Counter, CounterError, Link, MAX_BATCH, Objects, Server};

const DEADLINE: Duration = Duration::from_millis(300);
/// A hang detector for calls whose own deadline is `DEADLINE`.
const BOUND: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_fails_within_deadline_then_recovers() {
    let objects = Objects::default();
    let server = Server::start("127.0.0.1:0", objects.clone()).unwrap();
    let addr = server.addr.clone();
    let link = Link::new(&addr, DEADLINE);
    let c = link.create().await.unwrap();
    assert_eq!(c.add(5).await, Ok(5));
    server.kill();
    for _ in 0..3 {
        // The outer bound only catches a hang; how fast the call fails is
        // not asserted (a loaded machine may be slow).
        let r = tokio::time::timeout(BOUND, c.add(1))
            .await
            .expect("the deadline bounds the call");
        assert!(
            matches!(r, Err(CounterError::Unknown | CounterError::Unreachable)),
            "{r:?}"
        );
    }
    // No call reached the dead server; the restarted one has the saved state.
    let _server = Server::start(&addr, objects).unwrap();
    assert_eq!(c.add(1).await, Ok(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_server_without_state_forgets_the_object() {
    let server = Server::start("127.0.0.1:0", Objects::default()).unwrap();
    let addr = server.addr.clone();
    let link = Link::new(&addr, DEADLINE);
    let c = link.create().await.unwrap();
    server.kill();
    let _ = c.add(1).await; // notices the broken connection
    let _server = Server::start(&addr, Objects::default()).unwrap();
    assert_eq!(c.add(1).await, Err(CounterError::NoSuchObject));
}

#[tokio::test]
async fn identity_is_server_and_id() {
    let server = Server::start("127.0.0.1:0", Objects::default()).unwrap();
    let link = Link::new(&server.addr, DEADLINE);
    let a = link.create().await.unwrap();
    let b = link.create().await.unwrap();
    assert!(a == link.open(a.id()));
    assert!(a != b);
    let elsewhere = Link::new("127.0.0.1:1", DEADLINE).open(a.id());
    assert!(a != elsewhere);
}

#[tokio::test]
async fn bad_requests_get_typed_errors() {
    let server = Server::start("127.0.0.1:0", Objects::default()).unwrap();
    let link = Link::new(&server.addr, DEADLINE);
    let c = link.create().await.unwrap();
    assert_eq!(link.open(999).add(1).await, Err(CounterError::NoSuchObject));
    assert_eq!(
        c.add_all(vec![1; MAX_BATCH + 1]).await,
        Err(CounterError::TooMany)
    );
    assert_eq!(c.add(u64::MAX).await, Ok(u64::MAX));
    assert_eq!(c.add(1).await, Err(CounterError::Overflow));
    assert_eq!(
        c.add_all(vec![u64::MAX, 1]).await,
        Err(CounterError::Overflow)
    );
    // The largest batch allowed fits in one frame.
    let d = link.create().await.unwrap();
    assert_eq!(d.add_all(vec![1; MAX_BATCH]).await, Ok(MAX_BATCH as u64));
}

#[tokio::test]
async fn unreachable_server_is_reported_as_not_done() {
    // Bind and drop a listener to get a port nobody listens on.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let link = Link::new(&addr.to_string(), DEADLINE);
    let r = tokio::time::timeout(BOUND, link.open(1).add(1))
        .await
        .expect("the deadline bounds the call");
    assert_eq!(r, Err(CounterError::Unreachable));
}

/// 1,000 clients, each with its own `Link` and so its own connection, all
/// creating and calling at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_proxies_at_once() {
    let server = Server::start("127.0.0.1:0", Objects::default()).unwrap();
    let links: Vec<Link> = (0..1000)
        .map(|_| Link::new(&server.addr, Duration::from_secs(10)))
        .collect();
    let counters = futures::future::join_all(links.iter().map(|l| l.create())).await;
    let counters: Vec<_> = counters.into_iter().map(Result::unwrap).collect();
    let adds = counters.iter().map(|c| async move {
        for _ in 0..5 {
            c.add(1).await?;
        }
        c.add(0).await
    });
    let results = tokio::time::timeout(Duration::from_secs(20), futures::future::join_all(adds))
        .await
        .unwrap();
    assert!(results.iter().all(|r| *r == Ok(5)), "{results:?}");
}

//! Leases reclaim forgotten objects and keep renewed ones. The server's
//! clock is moved by hand, so no outcome depends on how fast the tasks run;
//! every wait is bounded.

use std::time::{Duration, Instant};

use listing_05_22_leases::{
    Clock, Counter, LeaseError, LeasedClient, connect, start, start_with_clock, within,
};

const LEASE: Duration = Duration::from_millis(200);
const T: Duration = Duration::from_secs(10);

/// Moves the server's clock a lease at a time until `live` is `want`,
/// within `T` of real time (the reaper runs every quarter lease of real
/// time). Moving on each poll also outlives a renewal that was already on
/// the wire when its proxy was dropped.
async fn live_becomes(client: &LeasedClient, clock: &Clock, want: usize) {
    let give_up = Instant::now() + T;
    loop {
        clock.advance(LEASE);
        let live = client.live(within(T)).await.unwrap();
        if live == want {
            return;
        }
        assert!(Instant::now() < give_up, "live = {live}, want {want}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_object_survives_many_leases() {
    let clock = Clock::manual();
    let addr = start_with_clock("127.0.0.1:0", LEASE, clock.clone())
        .await
        .unwrap();
    let client = connect(&addr).await.unwrap();
    let mut kept = Counter::create(&client).await.unwrap();
    for i in 1..=5 {
        for _ in 0..3 {
            clock.advance(LEASE / 3);
            assert!(kept.next_renewal(T).await, "the proxy renews");
        }
        assert_eq!(kept.add(1).await, Ok(i));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_proxies_are_reclaimed() {
    let clock = Clock::manual();
    let addr = start_with_clock("127.0.0.1:0", LEASE, clock.clone())
        .await
        .unwrap();
    let client = connect(&addr).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..100 {
        let c = Counter::create(&client).await.unwrap();
        ids.push(c.id());
    }
    assert_eq!(client.live(within(T)).await.unwrap(), 100);
    live_becomes(&client, &clock, 0).await; // the reaper removed them, unasked
    for id in ids {
        assert_eq!(
            client.add(within(T), id, 1).await.unwrap(),
            Err(LeaseError::Expired)
        );
    }
}

#[tokio::test]
async fn unknown_id_is_a_typed_error() {
    let addr = start("127.0.0.1:0", LEASE).await.unwrap();
    let client = connect(&addr).await.unwrap();
    assert_eq!(
        client.add(within(T), 12345, 1).await.unwrap(),
        Err(LeaseError::Expired)
    );
    assert_eq!(
        client.renew(within(T), 0).await.unwrap(),
        Err(LeaseError::Expired)
    );
}

/// On the real clock, only the lower bound is certain: after a lease of
/// silence (sleep guarantees at least that much), the object is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_real_clock_a_forgotten_object_expires() {
    let addr = start("127.0.0.1:0", LEASE).await.unwrap();
    let client = connect(&addr).await.unwrap();
    let id = client.create(within(T)).await.unwrap().unwrap().0;
    tokio::time::sleep(LEASE).await; // at least a lease of real time
    assert_eq!(
        client.add(within(T), id, 1).await.unwrap(),
        Err(LeaseError::Expired)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_client_connection_does_not_keep_objects() {
    let clock = Clock::manual();
    let addr = start_with_clock("127.0.0.1:0", LEASE, clock.clone())
        .await
        .unwrap();
    let observer = connect(&addr).await.unwrap();
    {
        let doomed = connect(&addr).await.unwrap();
        let _c = Counter::create(&doomed).await.unwrap();
        let _d = Counter::create(&doomed).await.unwrap();
        assert_eq!(observer.live(within(T)).await.unwrap(), 2);
    } // proxies and connection gone, no goodbye sent
    live_becomes(&observer, &clock, 0).await;
}

/// 1,000 clients, each on its own connection, all connected at once (a
/// barrier holds them), each creating an object and adding to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_at_once() {
    const CLIENTS: usize = 1000;
    let addr = start("127.0.0.1:0", Duration::from_secs(60)).await.unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (addr, barrier) = (addr.clone(), barrier.clone());
            tokio::spawn(async move {
                let client = connect(&addr).await;
                barrier.wait().await; // every connection is open now
                let client = client.map_err(|e| e.to_string())?;
                let (id, _) = client
                    .create(within(T))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| format!("{e:?}"))?;
                client
                    .add(within(T), id, 1)
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| format!("{e:?}"))
            })
        })
        .collect();
    let results = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(tasks))
        .await
        .expect("within the bound");
    let errors: Vec<_> = results.iter().filter(|r| !matches!(r, Ok(Ok(1)))).collect();
    assert!(
        errors.is_empty(),
        "{} errors, first {:?}",
        errors.len(),
        errors[0]
    );
    let observer = connect(&addr).await.unwrap();
    assert_eq!(observer.live(within(T)).await.unwrap(), CLIENTS);
}

/// Garbage, a 4 GiB length claim and a peer that dies mid-frame each end
/// only their own connection; the server keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_closes_only_that_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A long lease: this test is about input, not expiry.
    let addr = start("127.0.0.1:0", Duration::from_secs(60)).await.unwrap();
    let good = connect(&addr).await.unwrap();
    let garbage = b"not json at all";
    let mut frame = (garbage.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(garbage);
    let huge = u32::MAX.to_be_bytes().to_vec();
    let mut truncated = 100u32.to_be_bytes().to_vec();
    truncated.extend_from_slice(b"{\"half");
    for bytes in [frame, huge] {
        let mut raw = tokio::net::TcpStream::connect(&addr).await.unwrap();
        raw.write_all(&bytes).await.unwrap();
        // The server hangs up: read sees EOF (or a reset), never an answer.
        let mut buf = [0u8; 64];
        let r = tokio::time::timeout(T, raw.read(&mut buf))
            .await
            .expect("the server closes the connection");
        assert!(matches!(r, Ok(0) | Err(_)), "{r:?}");
    }
    let mut raw = tokio::net::TcpStream::connect(&addr).await.unwrap();
    raw.write_all(&truncated).await.unwrap();
    drop(raw); // dies mid-frame
    assert_eq!(good.live(within(T)).await.unwrap(), 0);
    let c = Counter::create(&good).await.unwrap();
    assert_eq!(c.add(2).await, Ok(2));
}

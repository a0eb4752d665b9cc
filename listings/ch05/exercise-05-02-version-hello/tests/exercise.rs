//! Tests for this exercise. `cargo test -p exercise-05-02-version-hello`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_02_version_hello as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{HandshakeError, STATUS_CHOSEN, answer, client_hello, hello, server_hello};
use std::ops::RangeInclusive;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

const DEADLINE: Duration = Duration::from_millis(300);

async fn both(
    client: RangeInclusive<u16>,
    server: RangeInclusive<u16>,
) -> (Result<u16, HandshakeError>, Result<u16, HandshakeError>) {
    let (mut a, mut b) = duplex(64);
    let run = async {
        tokio::join!(
            client_hello(&mut a, client, DEADLINE),
            server_hello(&mut b, server, DEADLINE)
        )
    };
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .expect("handshake finished")
}

#[tokio::test]
async fn the_highest_common_version_is_chosen() {
    assert_eq!(both(1..=3, 2..=5).await, (Ok(3), Ok(3)));
    assert_eq!(both(2..=9, 1..=4).await, (Ok(4), Ok(4)));
    assert_eq!(both(2..=2, 2..=2).await, (Ok(2), Ok(2)));
}

#[tokio::test]
async fn disjoint_ranges_name_both_on_both_sides() {
    let expected = HandshakeError::NoCommonVersion {
        client: 1..=1,
        server: 2..=3,
    };
    assert_eq!(
        both(1..=1, 2..=3).await,
        (Err(expected.clone()), Err(expected))
    );
}

#[tokio::test]
async fn a_foreign_protocol_is_bad_magic() {
    let (mut a, mut b) = duplex(64);
    a.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let got = server_hello(&mut b, 1..=2, DEADLINE).await;
    assert_eq!(got, Err(HandshakeError::BadMagic(*b"GET")));
}

#[tokio::test]
async fn a_short_hello_is_truncated() {
    let (mut a, mut b) = duplex(64);
    a.write_all(&hello(&(1..=2))[..4]).await.unwrap();
    drop(a);
    assert_eq!(
        server_hello(&mut b, 1..=2, DEADLINE).await,
        Err(HandshakeError::Truncated)
    );
}

#[tokio::test]
async fn a_silent_peer_is_a_timeout_on_either_side() {
    // The outer bound fails the test instead of hanging it if a side has
    // no deadline of its own.
    let bound = Duration::from_secs(5);
    let (_a, mut b) = duplex(64);
    let server = tokio::time::timeout(bound, server_hello(&mut b, 1..=2, DEADLINE)).await;
    assert_eq!(
        server.expect("server_hello has a deadline"),
        Err(HandshakeError::Timeout)
    );
    let (mut c, _d) = duplex(64);
    let client = tokio::time::timeout(bound, client_hello(&mut c, 1..=2, DEADLINE)).await;
    assert_eq!(
        client.expect("client_hello has a deadline"),
        Err(HandshakeError::Timeout)
    );
}

#[tokio::test]
async fn the_client_checks_the_answer() {
    // A server that picks a version the client never offered.
    let (mut a, mut b) = duplex(64);
    b.write_all(&answer(STATUS_CHOSEN, 7, 0)).await.unwrap();
    assert!(matches!(
        client_hello(&mut a, 1..=3, DEADLINE).await,
        Err(HandshakeError::Invalid(_))
    ));
    // An unknown status byte.
    let (mut a, mut b) = duplex(64);
    b.write_all(&answer(9, 1, 0)).await.unwrap();
    assert!(matches!(
        client_hello(&mut a, 1..=3, DEADLINE).await,
        Err(HandshakeError::Invalid(_))
    ));
}

#[tokio::test]
async fn the_hello_is_sent_whole_and_first() {
    let (mut a, mut b) = duplex(64);
    let client = tokio::spawn(async move { client_hello(&mut a, 4..=6, DEADLINE).await });
    let mut buf = [0u8; 7];
    tokio::time::timeout(Duration::from_secs(5), b.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(buf, hello(&(4..=6)));
    b.write_all(&answer(STATUS_CHOSEN, 5, 0)).await.unwrap();
    assert_eq!(client.await.unwrap(), Ok(5));
}

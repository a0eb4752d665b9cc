//! The limit under load, at its edge, and against peers that vanish.

use listing_06_20_conn_limit::{BUSY, start};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

async fn ask(c: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    c.write_all(msg).await.unwrap();
    let mut back = vec![0u8; msg.len().max(BUSY.len())];
    let mut got = 0;
    while got < msg.len() {
        let n = timeout(WAIT, c.read(&mut back[got..]))
            .await
            .expect("reply within WAIT")
            .unwrap();
        if n == 0 {
            break;
        }
        got += n;
    }
    back.truncate(got);
    back
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_clients_under_the_limit_see_no_errors() {
    const N: usize = 1000;
    let addr = start("127.0.0.1:0", N).await.unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(N));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..N {
        let barrier = barrier.clone();
        set.spawn(async move {
            let mut c = TcpStream::connect(addr).await?;
            barrier.wait().await; // all connected at once
            let msg = format!("client {i}\n");
            c.write_all(msg.as_bytes()).await?;
            let mut back = vec![0u8; msg.len()];
            c.read_exact(&mut back).await?;
            if back != msg.as_bytes() {
                return Err(std::io::Error::other("wrong echo"));
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
async fn beyond_the_limit_clients_are_refused_with_a_reply() {
    let addr = start("127.0.0.1:0", 4).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut c = TcpStream::connect(addr).await.unwrap();
        assert_eq!(ask(&mut c, b"in\n").await, b"in\n");
        held.push(c);
    }
    for _ in 0..10 {
        let mut c = TcpStream::connect(addr).await.unwrap();
        let mut reply = Vec::new();
        timeout(WAIT, c.read_to_end(&mut reply))
            .await
            .expect("refusal within WAIT")
            .unwrap();
        assert_eq!(reply, BUSY);
    }
    // The admitted clients are unaffected by the refusals.
    for c in &mut held {
        assert_eq!(ask(c, b"still\n").await, b"still\n");
    }
}

/// Connects until a client is admitted (a freed permit returns as soon as
/// the server has seen the close), bounded by WAIT.
async fn admitted(addr: std::net::SocketAddr) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        let mut c = TcpStream::connect(addr).await.unwrap();
        if ask(&mut c, b"knock\n").await == b"knock\n" {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

#[tokio::test]
async fn a_killed_peer_gives_its_permit_back() {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    let addr = start("127.0.0.1:0", 2).await.unwrap();
    let mut a = TcpStream::connect(addr).await.unwrap();
    assert_eq!(ask(&mut a, b"a\n").await, b"a\n");
    let b = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(&mut &b, &[9u8; 50_000]).unwrap(); // mid-stream
    let abort = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    setsockopt(&b, Linger, &abort).unwrap();
    drop(b); // reset, as a killed process's kernel sends
    assert!(
        admitted(addr).await,
        "the reset peer's permit never came back"
    );
    assert_eq!(ask(&mut a, b"a again\n").await, b"a again\n");
}

#[tokio::test]
async fn refused_clients_that_vanish_do_not_hurt_the_server() {
    let addr = start("127.0.0.1:0", 1).await.unwrap();
    let mut a = TcpStream::connect(addr).await.unwrap();
    assert_eq!(ask(&mut a, b"a\n").await, b"a\n");
    for _ in 0..200 {
        drop(TcpStream::connect(addr).await.unwrap());
    }
    assert_eq!(ask(&mut a, b"a\n").await, b"a\n");
    drop(a);
    assert!(admitted(addr).await);
}

//! The echo server under load (1,000 clients connected at once), with
//! peers that vanish mid-message, never read, idle, or exceed the cap.
//! Each test runs its own server thread on port 0; clients are tokio's.

use listing_07_14_echo_server::{Limits, Runtime, serve};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Starts a server with `limits` on its own thread; returns its address.
/// The thread runs until the test process exits.
fn start(limits: Limits) -> SocketAddr {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let rt = Runtime::new().unwrap();
        let listener = rt.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        tx.send(listener.local_addr().unwrap()).unwrap();
        rt.block_on(serve(rt.clone(), listener, limits));
    });
    rx.recv_timeout(Duration::from_secs(5)).unwrap()
}

async fn round_trip(conn: &mut TcpStream, msg: &[u8]) -> std::io::Result<bool> {
    conn.write_all(msg).await?;
    let mut back = vec![0u8; msg.len()];
    conn.read_exact(&mut back).await?;
    Ok(back == msg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_connected_at_once() {
    let addr = start(Limits::default());
    let all = timeout(Duration::from_secs(15), async move {
        // Connect all first and keep them open, then let each talk.
        let mut conns = Vec::new();
        for _ in 0..1000 {
            conns.push(TcpStream::connect(addr).await?);
        }
        let tasks: Vec<_> = conns
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                tokio::spawn(async move {
                    let msg = format!("client {i} says hello\n");
                    let a = round_trip(&mut c, msg.as_bytes()).await?;
                    let b = round_trip(&mut c, b"and again\n").await?;
                    Ok::<_, std::io::Error>(a && b)
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            ok += t.await.unwrap()? as usize;
        }
        Ok::<_, std::io::Error>(ok)
    })
    .await
    .expect("load test timed out")
    .expect("a client failed");
    assert_eq!(all, 1000);
}

#[tokio::test]
async fn a_large_message_streams_through_a_small_buffer() {
    let addr = start(Limits {
        buffer: 1024,
        ..Limits::default()
    });
    let data: Vec<u8> = (0..4u32 << 20).map(|i| (i % 251) as u8).collect();
    let back = timeout(Duration::from_secs(15), async {
        let conn = TcpStream::connect(addr).await.unwrap();
        let (mut r, mut w) = conn.into_split();
        let sent = data.clone();
        let writer = tokio::spawn(async move { w.write_all(&sent).await });
        let mut back = vec![0u8; data.len()];
        r.read_exact(&mut back).await.unwrap();
        writer.await.unwrap().unwrap();
        back
    })
    .await
    .expect("timed out");
    assert!(back == data, "4 MiB came back changed");
}

#[tokio::test]
async fn peers_that_vanish_mid_message_do_not_disturb_others() {
    let addr = start(Limits::default());
    timeout(Duration::from_secs(10), async {
        for _ in 0..50 {
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"half a mess").await.unwrap();
            drop(c); // gone without reading its echo
        }
        let mut c = TcpStream::connect(addr).await.unwrap();
        assert!(round_trip(&mut c, b"still here\n").await.unwrap());
    })
    .await
    .expect("timed out");
}

#[tokio::test]
async fn a_peer_that_never_reads_is_dropped_after_the_idle_time() {
    let idle = Duration::from_millis(300);
    let addr = start(Limits {
        idle,
        ..Limits::default()
    });
    timeout(Duration::from_secs(10), async {
        let mut hog = TcpStream::connect(addr).await.unwrap();
        // Send until the kernel's buffers on both sides are full: the
        // server stops reading us instead of queueing our bytes.
        let chunk = vec![7u8; 64 * 1024];
        let mut sent = 0usize;
        loop {
            match timeout(Duration::from_millis(500), hog.write_all(&chunk)).await {
                Ok(Ok(())) => sent += chunk.len(),
                Ok(Err(_)) => break, // the server closed us: fine too
                Err(_) => break,     // blocked: buffers full
            }
            assert!(
                sent < 256 << 20,
                "the server kept reading a peer that never reads"
            );
        }
        // Meanwhile others are served.
        let mut c = TcpStream::connect(addr).await.unwrap();
        assert!(round_trip(&mut c, b"not starved\n").await.unwrap());
        // And after the idle time the hog is closed: drain what it echoed,
        // then see the end of the stream (or a reset).
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match hog.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the idle peer was never dropped");
}

#[tokio::test]
async fn a_silent_peer_is_closed_after_the_idle_time() {
    let idle = Duration::from_millis(200);
    let addr = start(Limits {
        idle,
        ..Limits::default()
    });
    let mut c = TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 16];
    let t0 = std::time::Instant::now();
    let n = timeout(Duration::from_secs(5), c.read(&mut buf))
        .await
        .expect("never closed");
    assert!(matches!(n, Ok(0) | Err(_)));
    assert!(t0.elapsed() >= idle);
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once() {
    let addr = start(Limits {
        max_connections: 5,
        ..Limits::default()
    });
    timeout(Duration::from_secs(10), async {
        let mut kept = Vec::new();
        for _ in 0..5 {
            let mut c = TcpStream::connect(addr).await.unwrap();
            assert!(round_trip(&mut c, b"in\n").await.unwrap());
            kept.push(c);
        }
        let mut extra = TcpStream::connect(addr).await.unwrap();
        let _ = extra.write_all(b"let me in\n").await;
        let mut buf = [0u8; 16];
        assert!(matches!(extra.read(&mut buf).await, Ok(0) | Err(_)));
        // Closing one frees a place.
        kept.pop();
        let mut again = None;
        for _ in 0..100 {
            let mut c = TcpStream::connect(addr).await.unwrap();
            if matches!(round_trip(&mut c, b"now?\n").await, Ok(true)) {
                again = Some(c);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(again.is_some(), "the freed place was never reused");
    })
    .await
    .expect("timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_peer_does_not_starve_the_others() {
    let addr = start(Limits::default());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flood = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let conn = TcpStream::connect(addr).await.unwrap();
            let (mut r, mut w) = conn.into_split();
            let s2 = stop.clone();
            let reader = tokio::spawn(async move {
                let mut buf = vec![0u8; 1 << 16];
                while !s2.load(std::sync::atomic::Ordering::Relaxed) {
                    if matches!(r.read(&mut buf).await, Ok(0) | Err(_)) {
                        break;
                    }
                }
            });
            let chunk = vec![1u8; 1 << 16];
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if w.write_all(&chunk).await.is_err() {
                    break;
                }
            }
            drop(w);
            let _ = reader.await;
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await; // the flood is on
    let served = timeout(Duration::from_secs(5), async {
        let mut c = TcpStream::connect(addr).await.unwrap();
        round_trip(&mut c, b"my turn\n").await.unwrap()
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(served, Ok(true), "the flood starved a second client");
    let _ = timeout(Duration::from_secs(5), flood).await;
}

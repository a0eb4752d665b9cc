//! The bug is checked, not only described: the buggy reader loses bytes
//! whenever a tick lands mid-frame; the fixed one never does.

use listing_06_19_cancel_safety::*;
use std::time::Duration;

const N: u64 = 50;

async fn run(fixed: bool, tick_ms: u64, pause_ms: u64) -> Seen {
    let (reader, writer) = tokio::io::duplex(64);
    let sender = tokio::spawn(send_split(writer, N, Duration::from_millis(pause_ms)));
    let tick = Duration::from_millis(tick_ms);
    let seen = if fixed {
        read_frames_fixed(reader, tick).await.unwrap()
    } else {
        read_frames_buggy(reader, tick).await.unwrap()
    };
    sender.await.unwrap().unwrap();
    seen
}

#[tokio::test(start_paused = true)]
async fn the_buggy_reader_loses_bytes_when_a_tick_lands_mid_frame() {
    let seen = run(false, 2, 5).await;
    assert!(lost_bytes(&seen, N) > 0);
    assert!(intact(&seen, N) < N as usize);
}

#[tokio::test(start_paused = true)]
async fn the_fixed_reader_loses_nothing() {
    for (tick, pause) in [(2, 5), (1, 1), (5, 2), (3, 7)] {
        let seen = run(true, tick, pause).await;
        assert_eq!(lost_bytes(&seen, N), 0, "tick {tick} pause {pause}");
        assert_eq!(intact(&seen, N), N as usize);
        assert!(seen.ticks > 0);
    }
}

#[tokio::test(start_paused = true)]
async fn a_truncated_frame_is_an_error_for_the_fixed_reader() {
    use tokio::io::AsyncWriteExt;
    let (reader, mut writer) = tokio::io::duplex(64);
    writer.write_all(&[0, 0, 0, 0, 0, 1, 2]).await.unwrap();
    drop(writer);
    let err = read_frames_fixed(reader, Duration::from_millis(1))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
}

#[tokio::test]
async fn with_a_real_clock_and_real_sockets_the_fix_still_holds() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sender = tokio::spawn(async move {
        let s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap(); // each half leaves at once
        send_split(s, 20, Duration::from_millis(3)).await
    });
    let (conn, _) = listener.accept().await.unwrap();
    let seen = tokio::time::timeout(
        Duration::from_secs(10),
        read_frames_fixed(conn, Duration::from_millis(1)),
    )
    .await
    .expect("bounded")
    .unwrap();
    sender.await.unwrap().unwrap();
    assert_eq!(intact(&seen, 20), 20);
}

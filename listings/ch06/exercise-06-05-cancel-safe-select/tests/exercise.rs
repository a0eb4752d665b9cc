//! Tests for this exercise. `cargo test -p exercise-06-05-cancel-safe-select`
//! tests your `src/lib.rs`; the book's own test run adds `--features solution`
//! to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_05_cancel_safe_select as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::collect_lines;
use std::io::ErrorKind;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

const MS: Duration = Duration::from_millis(1);

/// Writes each piece, pausing `pause` after each, then closes.
async fn feed(pieces: Vec<Vec<u8>>, pause: Duration) -> tokio::io::DuplexStream {
    let (reader, mut writer) = tokio::io::duplex(256);
    tokio::spawn(async move {
        for p in pieces {
            writer.write_all(&p).await.unwrap();
            tokio::time::sleep(pause).await;
        }
    });
    reader
}

// The clock is paused: timers fire in a fixed order, so every run is alike,
// and no test waits in real time.
#[tokio::test(start_paused = true)]
async fn lines_in_slow_pieces_survive_the_heartbeat() {
    let mut pieces = Vec::new();
    let mut want = Vec::new();
    for i in 0..40 {
        let line = format!("line number {i} with some text");
        // Three pieces per line, each pause longer than a beat.
        let bytes = format!("{line}\n").into_bytes();
        pieces.push(bytes[..5].to_vec());
        pieces.push(bytes[5..12].to_vec());
        pieces.push(bytes[12..].to_vec());
        want.push(line);
    }
    let got = collect_lines(feed(pieces, 3 * MS).await, 2 * MS, 100)
        .await
        .unwrap();
    assert_eq!(got.lines, want);
    assert!(
        got.beats >= 100,
        "the heartbeat must keep ticking: {}",
        got.beats
    );
}

#[tokio::test(start_paused = true)]
async fn many_lines_in_one_write_and_empty_lines() {
    let text = b"a\n\nb\r\nlast\n".to_vec();
    let got = collect_lines(feed(vec![text], MS).await, MS, 10)
        .await
        .unwrap();
    assert_eq!(got.lines, ["a", "", "b\r", "last"]);
}

#[tokio::test(start_paused = true)]
async fn empty_input_is_no_lines() {
    let got = collect_lines(feed(vec![], MS).await, MS, 10).await.unwrap();
    assert!(got.lines.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_line_of_exactly_max_line_is_accepted() {
    let line = "x".repeat(64);
    let got = collect_lines(
        feed(vec![format!("{line}\n").into_bytes()], MS).await,
        MS,
        64,
    )
    .await
    .unwrap();
    assert_eq!(got.lines, [line]);
}

#[tokio::test(start_paused = true)]
async fn a_longer_line_is_invalid_data_without_reading_it_all() {
    // 1 MiB with no newline in slow pieces: the reader must stop at the cap.
    let pieces = vec![vec![b'z'; 4096]; 256];
    let err = collect_lines(feed(pieces, MS).await, MS, 64)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
}

#[tokio::test(start_paused = true)]
async fn invalid_utf8_is_invalid_data() {
    let err = collect_lines(feed(vec![b"ok\n\xff\xfe\n".to_vec()], MS).await, MS, 64)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
}

#[tokio::test(start_paused = true)]
async fn a_last_line_cut_short_is_unexpected_eof() {
    let pieces = vec![b"whole\nhal".to_vec(), b"f a li".to_vec()];
    let err = collect_lines(feed(pieces, 5 * MS).await, MS, 64)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
}

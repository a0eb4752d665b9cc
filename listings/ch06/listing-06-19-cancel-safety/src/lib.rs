//! Reads 8-byte frames while a timer ticks, with `select!` choosing whichever
//! is ready first. The timer wins whenever a frame is half-way through.

use std::io;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Each frame is a big-endian u64.
pub const FRAME: usize = 8;

/// What a reader saw: the frames it decoded and how often the timer fired.
#[derive(Debug, Default)]
pub struct Seen {
    pub frames: Vec<u64>,
    pub ticks: u32,
}

// ANCHOR: buggy
/// BUG: when the tick wins, the `read_exact` future is dropped, and with it
/// the bytes it had already copied into `frame`, a local of this iteration.
pub async fn read_frames_buggy<R: AsyncRead + Unpin>(mut r: R, tick: Duration) -> io::Result<Seen> {
    let mut seen = Seen::default();
    let mut timer = tokio::time::interval(tick);
    loop {
        let mut frame = [0u8; FRAME];
        tokio::select! {
            res = r.read_exact(&mut frame) => match res {
                Ok(_) => seen.frames.push(u64::from_be_bytes(frame)),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(seen),
                Err(e) => return Err(e),
            },
            _ = timer.tick() => seen.ticks += 1,
        }
    }
}
// ANCHOR_END: buggy

// ANCHOR: fixed
/// The fix: the partial frame lives outside the loop, and the branch is a
/// single `read`, which is cancel-safe: if it loses, it has read nothing.
pub async fn read_frames_fixed<R: AsyncRead + Unpin>(mut r: R, tick: Duration) -> io::Result<Seen> {
    let mut seen = Seen::default();
    let mut timer = tokio::time::interval(tick);
    let mut frame = [0u8; FRAME];
    let mut filled = 0;
    loop {
        tokio::select! {
            res = r.read(&mut frame[filled..]) => match res? {
                0 if filled == 0 => return Ok(seen),
                0 => return Err(io::ErrorKind::UnexpectedEof.into()), // truncated
                n => {
                    filled += n;
                    if filled == FRAME {
                        seen.frames.push(u64::from_be_bytes(frame));
                        filled = 0;
                    }
                }
            },
            _ = timer.tick() => seen.ticks += 1,
        }
    }
}
// ANCHOR_END: fixed

// ANCHOR: sender
/// Sends frames 0..n, each in two halves with a pause between them, as a
/// slow network delivers them.
pub async fn send_split<W: tokio::io::AsyncWrite + Unpin>(
    mut w: W,
    n: u64,
    pause: Duration,
) -> io::Result<()> {
    use tokio::io::AsyncWriteExt;
    for i in 0..n {
        let bytes = value(i).to_be_bytes();
        w.write_all(&bytes[..4]).await?;
        tokio::time::sleep(pause).await;
        w.write_all(&bytes[4..]).await?;
    }
    w.shutdown().await
}
// ANCHOR_END: sender

/// Frame i carries i + 1 in both halves, so no half of it is all zeros and a
/// frame stitched from halves of two different frames never looks right.
pub fn value(i: u64) -> u64 {
    (i + 1) * 0x1_0000_0001
}

/// How many of the frames 0..n arrived intact and in place.
pub fn intact(seen: &Seen, n: u64) -> usize {
    (0..n)
        .zip(&seen.frames)
        .filter(|(i, got)| value(*i) == **got)
        .count()
}

/// Bytes sent that no decoded frame accounts for.
pub fn lost_bytes(seen: &Seen, n: u64) -> usize {
    (n as usize * FRAME).saturating_sub(seen.frames.len() * FRAME)
}

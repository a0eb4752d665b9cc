//! Read lines while a heartbeat ticks, without losing data to `select!`.

use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

/// What the reader collected.
#[derive(Debug, Default)]
pub struct Collected {
    /// Every line, without its `\n` (a `\r` before it is kept).
    pub lines: Vec<String>,
    /// How many times the heartbeat fired.
    pub beats: u32,
}

pub async fn collect_lines<R: AsyncRead + Unpin>(
    reader: R,
    beat: Duration,
    max_line: usize,
) -> io::Result<Collected> {
    let mut out = Collected::default();
    let mut timer = tokio::time::interval(beat);
    // Both survive a lost race: bytes the BufReader holds, and the partial
    // line that `read_until` has already appended to `line`.
    let mut reader = BufReader::new(reader);
    let mut line = Vec::with_capacity(max_line + 1);
    loop {
        let limit = (max_line + 1 - line.len()) as u64;
        let mut capped = (&mut reader).take(limit);
        tokio::select! {
            n = capped.read_until(b'\n', &mut line) => {
                if n? == 0 {
                    return if line.is_empty() {
                        Ok(out)
                    } else {
                        Err(io::ErrorKind::UnexpectedEof.into())
                    };
                }
            }
            _ = timer.tick() => out.beats += 1,
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            let text = String::from_utf8(std::mem::take(&mut line))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            out.lines.push(text);
        } else if line.len() > max_line {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
    }
}

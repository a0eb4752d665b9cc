//! Push-style stages, like Beazley's coroutine pipelines: the source calls
//! `send` on the first stage, which calls the next. A stage only borrows each
//! line for the length of the call, so the source can reuse one buffer.

use std::io::{self, BufRead, Read};

// ANCHOR: sink
/// A stage that is handed lines: the counterpart of a coroutine's `send`.
pub trait Sink {
    fn send(&mut self, line: &str);
    /// End of input: the counterpart of `close()`. Flush, then pass it on.
    fn close(&mut self) {}
}

pub struct Grep<'a> {
    pub pattern: &'a str,
    pub next: &'a mut dyn Sink,
}

impl Sink for Grep<'_> {
    fn send(&mut self, line: &str) {
        if line.contains(self.pattern) {
            self.next.send(line);
        }
    }
    fn close(&mut self) {
        self.next.close();
    }
}

/// One input, several consumers: each gets every line, in order.
pub struct Broadcast<'a> {
    pub targets: Vec<&'a mut dyn Sink>,
}

impl Sink for Broadcast<'_> {
    fn send(&mut self, line: &str) {
        for target in &mut self.targets {
            target.send(line);
        }
    }
    fn close(&mut self) {
        self.targets.iter_mut().for_each(|t| t.close());
    }
}
// ANCHOR_END: sink

#[derive(Default)]
pub struct Count {
    pub lines: usize,
    pub closed: bool,
}

impl Sink for Count {
    fn send(&mut self, _line: &str) {
        self.lines += 1;
    }
    fn close(&mut self) {
        self.closed = true;
    }
}

/// Keeps copies of what it is sent (the one stage here that allocates).
#[derive(Default)]
pub struct Collect(pub Vec<String>);

impl Sink for Collect {
    fn send(&mut self, line: &str) {
        self.0.push(line.to_string());
    }
}

// ANCHOR: source
/// Reads lines into one buffer and lends each to `sink`; returns how many.
/// A line over `max_line` bytes, or one that is not UTF-8, is an error.
pub fn push_lines(
    mut input: impl BufRead,
    max_line: usize,
    sink: &mut dyn Sink,
) -> io::Result<usize> {
    let mut buf = String::new();
    let mut count = 0;
    loop {
        buf.clear();
        let limit = max_line as u64 + 1; // one more, to tell "too long"
        if (&mut input).take(limit).read_line(&mut buf)? == 0 {
            break;
        }
        if buf.len() > max_line {
            let msg = format!("line {} is longer than {max_line} bytes", count + 1);
            return Err(io::Error::new(io::ErrorKind::InvalidData, msg));
        }
        sink.send(buf.trim_end_matches('\n'));
        count += 1;
    }
    sink.close();
    Ok(count)
}
// ANCHOR_END: source

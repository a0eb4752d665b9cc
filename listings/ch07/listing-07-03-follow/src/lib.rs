//! A `tail -f` follower as an iterator: each `next` returns the next complete
//! line appended to a file, polling while there is none, and ends the
//! iteration when the file has been quiet for `idle_limit`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: struct
pub struct Follow {
    reader: BufReader<File>,
    /// A line whose newline has not been written yet.
    partial: String,
    /// Inside an overlong line: drop bytes up to its newline.
    skipping: bool,
    poll: Duration,
    idle_limit: Duration,
    max_line: usize,
}

impl Follow {
    /// Starts at the current end of the file, like `tail -f -n 0`.
    pub fn open(path: &Path, poll: Duration, idle_limit: Duration) -> io::Result<Follow> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::End(0))?;
        Ok(Follow {
            reader: BufReader::new(file),
            partial: String::new(),
            skipping: false,
            poll,
            idle_limit,
            max_line: 64 * 1024,
        })
    }
}

// ANCHOR_END: struct

// ANCHOR: next
impl Iterator for Follow {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<io::Result<String>> {
        let mut quiet_since = Instant::now();
        loop {
            // A read at end of file returns 0 bytes; it does not block.
            // `take` caps what one line may cost (at least 1 byte is left).
            let room = (self.max_line + 1 - self.partial.len()) as u64;
            match (&mut self.reader).take(room).read_line(&mut self.partial) {
                Err(e) => return Some(Err(e)),
                Ok(0) if quiet_since.elapsed() >= self.idle_limit => return None,
                Ok(0) => thread::sleep(self.poll),
                Ok(_) if self.partial.ends_with('\n') && self.skipping => {
                    self.partial.clear();
                    self.skipping = false;
                }
                Ok(_) if self.partial.ends_with('\n') => {
                    let mut line = std::mem::take(&mut self.partial);
                    line.pop();
                    return Some(Ok(line));
                }
                // Half a line: the writer is mid-line; wait for the rest.
                Ok(_) => quiet_since = Instant::now(),
            }
            if self.partial.len() > self.max_line {
                self.partial.clear();
                if std::mem::replace(&mut self.skipping, true) {
                    continue; // already reported
                }
                let msg = format!("line longer than {} bytes", self.max_line);
                return Some(Err(io::Error::new(io::ErrorKind::InvalidData, msg)));
            }
        }
    }
}
// ANCHOR_END: next

/// Overrides the 64 KiB cap on a line's length.
impl Follow {
    pub fn max_line(mut self, bytes: usize) -> Follow {
        self.max_line = bytes;
        self
    }
}

//! A reader task parses lines through three levels of library calls; the
//! innermost one traps into the OS (ReadWait), and the trap still reaches the
//! scheduler. Then the same call without `.await`: nothing happens at all.

use listing_07_17_nested_traps::{Os, get_tid, read_wait, write_wait};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;

// ANCHOR: nested
// ANCHOR: nested_slide
/// Depth 3: the only function that talks to the OS.
async fn read_some(s: &mut UnixStream, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        read_wait(s).await; // a trap, three calls below the task
        match s.read(buf) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}
// ANCHOR_END: nested_slide

/// Depth 2: a line, byte by byte (slow, but it makes many traps).
async fn read_line(s: &mut UnixStream) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut byte = [0u8];
    while read_some(s, &mut byte).await? == 1 {
        if byte[0] == b'\n' {
            return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
        }
        line.push(byte[0]);
    }
    Ok(None) // end of stream
}

/// Depth 1: every line until the writer closes.
async fn read_lines(s: &mut UnixStream) -> io::Result<Vec<String>> {
    let mut lines = Vec::new();
    while let Some(line) = read_line(s).await? {
        lines.push(line);
    }
    Ok(lines)
}
// ANCHOR_END: nested

fn main() -> io::Result<()> {
    let (mut reader, mut writer) = UnixStream::pair()?;
    reader.set_nonblocking(true)?;
    writer.set_nonblocking(true)?;
    let mut os = Os::new();
    // ANCHOR: tasks
    os.spawn(async move {
        let me = get_tid().await;
        match read_lines(&mut reader).await {
            Ok(lines) => println!("task {me} read {lines:?} from three calls down"),
            Err(e) => println!("task {me} failed: {e}"),
        }
    });
    os.spawn(async move {
        for line in ["GET /", "Host: pyos", ""] {
            write_wait(&writer).await;
            let _ = writer.write_all(format!("{line}\n").as_bytes());
        }
        // Dropping `writer` at the end of the task closes the stream.
    });
    os.spawn(async {
        // Forgetting `.await` builds the future and drops it: no trap is
        // made, just as calling a generator function runs none of its body.
        let forgotten = get_tid();
        drop(forgotten);
        println!("a system call without .await never reached the OS");
    });
    // ANCHOR_END: tasks
    let report = os.run();
    println!("{} task switches", report.switches);
    Ok(())
}

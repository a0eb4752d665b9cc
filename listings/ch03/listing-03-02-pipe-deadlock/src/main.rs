use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

const INPUT: usize = 1 << 20; // 1 MiB: much more than two pipe buffers

fn main() -> std::io::Result<()> {
    // ANCHOR: naive
    // `cat` copies its input to its output, like any filter.
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = child.stdout.take().expect("piped");
    let written = Arc::new(AtomicUsize::new(0));

    // The naive exchange: write everything, then read everything.
    let (done, finished) = mpsc::channel();
    let counter = Arc::clone(&written);
    thread::spawn(move || {
        let result = (|| {
            for chunk in vec![b'x'; INPUT].chunks(4096) {
                stdin.write_all(chunk)?;
                counter.fetch_add(chunk.len(), Relaxed);
            }
            drop(stdin); // end of input
            let mut echoed = Vec::new();
            stdout.read_to_end(&mut echoed)?;
            Ok::<usize, std::io::Error>(echoed.len())
        })();
        let _ = done.send(result);
    });
    // ANCHOR_END: naive

    // ANCHOR: timeout
    match finished.recv_timeout(Duration::from_secs(2)) {
        Ok(result) => println!("finished: {result:?}"),
        Err(_) => {
            let kib = written.load(Relaxed) / 1024;
            println!(
                "stalled: the parent wrote {kib} KiB of {} KiB, then blocked",
                INPUT / 1024
            );
            println!("more than one pipe buffer got through: {}", kib > 64);
            println!("all of it got through: {}", kib * 1024 == INPUT);
            child.kill()?; // the child's end of the pipe closes...
            let status = child.wait()?;
            // ...and the parent's blocked write fails instead of waiting.
            match finished.recv_timeout(Duration::from_secs(5)) {
                Ok(Err(e)) => println!("child {status}; the parent's write failed: {:?}", e.kind()),
                other => println!("child {status}; the parent's exchange: {other:?}"),
            }
        }
    }
    // ANCHOR_END: timeout
    Ok(())
}

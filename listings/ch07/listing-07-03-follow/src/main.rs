//! Follows a log file that another thread is writing, keeps the lines that
//! mention "python", and counts them.

use listing_07_03_follow::Follow;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let path = std::env::temp_dir().join(format!("follow-{}.log", std::process::id()));
    fs::write(&path, "an old line, written before we started\n")?;
    let (started, go) = mpsc::channel();
    let writer = {
        let path = path.clone();
        thread::spawn(move || -> std::io::Result<()> {
            let mut log = OpenOptions::new().append(true).open(&path)?;
            go.recv_timeout(Duration::from_secs(5)).ok();
            for i in 0..20 {
                let lang = ["rust", "python", "go", "c"][i % 4];
                // One write per line: the follower never sees half of one.
                log.write_all(format!("GET /{lang}/{i} 200\n").as_bytes())?;
                thread::sleep(Duration::from_millis(2));
            }
            Ok(())
        })
    };
    // ANCHOR: main
    let (poll, quiet) = (Duration::from_millis(5), Duration::from_millis(300));
    let lines = Follow::open(&path, poll, quiet)?;
    started.send(()).ok();
    // ANCHOR: chain
    let count = lines
        .map_while(Result::ok) // stop at the first I/O error
        .filter(|line| line.contains("python"))
        .inspect(|line| println!("match: {line}"))
        .count();
    // ANCHOR_END: chain
    println!("{count} matching lines, then {quiet:?} of quiet ended the follower");
    // ANCHOR_END: main
    writer.join().expect("writer panicked")?;
    fs::remove_file(&path)
}

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    // ANCHOR: eof
    let (mut reader, writer) = std::io::pipe()?;
    let (got, text) = mpsc::channel();
    thread::spawn(move || {
        let mut all = String::new();
        let result = reader.read_to_string(&mut all).map(|_| all);
        let _ = got.send(result); // read_to_string returns at end-of-file
    });

    let mut producer = writer.try_clone()?; // a second handle, same pipe
    thread::spawn(move || {
        writeln!(producer, "one\ntwo\nthree")
        // `producer` is dropped here
    })
    .join()
    .expect("producer panicked")?;

    match text.recv_timeout(Duration::from_millis(300)) {
        Ok(t) => println!("EOF early: {t:?}"),
        Err(_) => println!("no EOF after 300 ms: `writer` is still open in main"),
    }
    drop(writer); // the last write end: now the reader sees end-of-file
    let t = text.recv_timeout(Duration::from_secs(5)).expect("EOF")?;
    println!(
        "EOF after drop(writer): {:?}",
        t.lines().collect::<Vec<_>>()
    );
    // ANCHOR_END: eof

    // ANCHOR: broken
    let (reader, mut writer) = std::io::pipe()?;
    drop(reader); // no reader left
    // Rust ignores SIGPIPE, so this is an error value, not a dead process.
    let err = writer.write_all(b"anyone?").unwrap_err();
    println!("write with no reader: {:?}", err.kind());
    // ANCHOR_END: broken

    // ANCHOR: shell
    // printf '...' | sort -u, plumbed by hand.
    let (from_a, to_b) = std::io::pipe()?;
    let mut a = Command::new("printf")
        .arg("pear\\napple\\npear\\nfig\\napple\\n")
        .stdout(to_b) // the Command owns the write end...
        .spawn()?; // ...and drops it with the temporary: only `a` holds it now
    let b = Command::new("sort")
        .arg("-u")
        .stdin(from_a)
        .stdout(Stdio::piped())
        .spawn()?;
    let out = b.wait_with_output()?;
    println!("a: {}, b: {}", a.wait()?, out.status);
    print!("{}", String::from_utf8_lossy(&out.stdout));
    // ANCHOR_END: shell
    Ok(())
}

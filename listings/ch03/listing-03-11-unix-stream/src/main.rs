//! A Unix domain stream socket: TCP's code shape, a path instead of a port,
//! and the socket file that stays behind.

use std::io::{self, BufRead, BufReader, ErrorKind, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::thread;
use std::time::Duration;

// ANCHOR: serve
/// Answers each line with its upper-case form: the same loop as over TCP.
fn serve_one(listener: &UnixListener) -> io::Result<()> {
    let (stream, _addr) = listener.accept()?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut out = stream.try_clone()?;
    // A demo's bound: 1 KiB for the whole conversation (Listing 3-9 bounds
    // each line instead). Each reply goes out in one write.
    for line in BufReader::new(io::Read::take(stream, 1024)).lines() {
        out.write_all(format!("{}\n", line?.to_uppercase()).as_bytes())?;
    }
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: bind_fresh
/// Binds `path`, removing the file first only if it is a stale socket: one
/// that no server answers on. A live server's socket is left alone.
fn bind_fresh(path: &Path) -> io::Result<UnixListener> {
    match UnixListener::bind(path) {
        Err(e) if e.kind() == ErrorKind::AddrInUse => {
            let is_socket = std::fs::metadata(path)?.file_type().is_socket();
            match UnixStream::connect(path) {
                Err(c) if is_socket && c.kind() == ErrorKind::ConnectionRefused => {
                    std::fs::remove_file(path)?;
                    UnixListener::bind(path)
                }
                _ => Err(e), // someone is listening, or it is not a socket
            }
        }
        other => other,
    }
}
// ANCHOR_END: bind_fresh

fn main() -> io::Result<()> {
    // ANCHOR: main
    let path = std::env::temp_dir().join(format!("listing-03-11-{}.sock", std::process::id()));
    let listener = UnixListener::bind(&path)?;
    let name = path.file_name().unwrap().to_string_lossy();
    let is_socket = std::fs::metadata(&path)?.file_type().is_socket();
    println!("listening on {name} (a socket file: {is_socket})");

    let server = thread::scope(|s| {
        let server = s.spawn(|| serve_one(&listener));
        let mut client = UnixStream::connect(&path)?;
        client.set_read_timeout(Some(Duration::from_secs(5)))?;
        client.write_all(b"hello over a unix socket\n")?;
        let mut reply = String::new();
        BufReader::new(&client).read_line(&mut reply)?;
        print!("reply: {reply}");
        drop(client); // end of stream: the server's loop ends
        server.join().expect("server panicked")
    });
    server?;
    drop(listener);

    // Closing the listener does not remove its file, so a restart fails.
    let exists = path.exists();
    match UnixListener::bind(&path) {
        Err(e) => println!(
            "listener closed, file still there: {exists}; bind again: {:?}",
            e.kind()
        ),
        Ok(_) => println!("bind again: succeeded"),
    }
    let _listener = bind_fresh(&path)?;
    println!("bind_fresh removed the stale file and bound: ok");
    std::fs::remove_file(&path)?; // clean up on the way out
    println!("removed on exit: {}", !path.exists());
    // ANCHOR_END: main
    Ok(())
}

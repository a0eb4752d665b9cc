// The libc crate as nix re-exports it, so that one version serves both.
use nix::libc;
use nix::sys::stat::Mode;
use nix::unistd::mkfifo;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

// ANCHOR: guard
/// Removes the FIFO's name from the file system when dropped, even on an
/// early return: a FIFO outlives the processes that used it.
struct Fifo(PathBuf);

impl Fifo {
    fn create() -> nix::Result<Fifo> {
        let name = format!("listing-03-08-{}.fifo", std::process::id());
        let path = std::env::temp_dir().join(name);
        mkfifo(&path, Mode::S_IRUSR | Mode::S_IWUSR)?; // owner only
        Ok(Fifo(path))
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
// ANCHOR_END: guard

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: main
    let fifo = Fifo::create()?;
    let meta = std::fs::metadata(&fifo.0)?;
    println!(
        "is a FIFO: {}, size: {}",
        meta.file_type().is_fifo(),
        meta.len()
    );

    // Without a reader, a non-blocking open for writing fails at once (ENXIO).
    let err = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo.0)
        .unwrap_err();
    println!("non-blocking open for writing, no reader: {err}");

    let (opened, open_done) = mpsc::channel();
    let (text, text_done) = mpsc::channel();
    let path = fifo.0.clone();
    thread::spawn(move || -> std::io::Result<()> {
        let mut file = File::open(&path)?; // blocks until a writer opens
        let _ = opened.send(());
        let mut all = String::new();
        file.read_to_string(&mut all)?; // until the last writer closes
        let _ = text.send(all);
        Ok(())
    });
    let waited = open_done.recv_timeout(Duration::from_millis(300)).is_err();
    println!("open for reading still blocked after 300 ms: {waited}");

    // Another program, with no inheritance from us: it only knows the name.
    let script = r#"for i in 1 2 3; do echo "message $i from pid $$"; done > "$1""#;
    let mut writer = Command::new("sh")
        .args(["-c", script, "sh"])
        .arg(&fifo.0)
        .spawn()?;
    open_done.recv_timeout(Duration::from_secs(10))?;
    print!("{}", text_done.recv_timeout(Duration::from_secs(10))?);
    println!("writer: {}", writer.wait()?);

    let path = fifo.0.clone();
    drop(fifo);
    println!("FIFO still on disk after drop: {}", path.exists());
    // ANCHOR_END: main
    Ok(())
}

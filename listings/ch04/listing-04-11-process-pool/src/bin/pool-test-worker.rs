//! The worker the package's tests start with `Pool::with_program`: a test
//! harness's own executable runs tests, not `serve_if_worker`.
//!
//! A task is a line of text: `echo WORDS`, `sleep MS VALUE`, `fail TEXT`,
//! `panic`, `abort`, `forever`, `garbage`, `pidfile PATH MS VALUE` (write
//! the worker's pid to PATH if it does not exist yet, then sleep).

use listing_04_11_process_pool::serve_if_worker;
use std::io::Write;
use std::time::Duration;

fn handle(task: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(task).map_err(|e| e.to_string())?;
    let mut words = text.split(' ');
    match words.next().unwrap_or("") {
        "echo" => Ok(words.collect::<Vec<_>>().join(" ").into_bytes()),
        "sleep" => {
            let ms: u64 = words
                .next()
                .and_then(|w| w.parse().ok())
                .ok_or("sleep MS VALUE")?;
            std::thread::sleep(Duration::from_millis(ms));
            Ok(words.next().unwrap_or("").as_bytes().to_vec())
        }
        "fail" => Err(words.collect::<Vec<_>>().join(" ")),
        "panic" => panic!("task asked to panic"),
        "abort" => std::process::abort(),
        "forever" => loop {
            std::hint::spin_loop();
        },
        "garbage" => {
            // Bytes that are not a frame: the prefix announces 4 GiB.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&[0xff; 16]).and_then(|()| out.flush());
            std::thread::sleep(Duration::from_secs(60));
            Ok(Vec::new())
        }
        "pidfile" => {
            let path = words.next().ok_or("pidfile PATH MS VALUE")?;
            let ms: u64 = words
                .next()
                .and_then(|w| w.parse().ok())
                .ok_or("pidfile PATH MS VALUE")?;
            let first = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path);
            if let Ok(mut f) = first {
                f.write_all(std::process::id().to_string().as_bytes())
                    .map_err(|e| e.to_string())?;
            }
            std::thread::sleep(Duration::from_millis(ms));
            Ok(words.next().unwrap_or("").as_bytes().to_vec())
        }
        other => Err(format!("unknown task {other:?}")),
    }
}

fn main() {
    serve_if_worker(handle);
    eprintln!("pool-test-worker: run by a Pool, not by hand");
    std::process::exit(1);
}

//! The worker the tests start. A task is text: `echo WORDS`, `fail TEXT`,
//! `abort`, `crash-once PATH` (abort unless PATH exists, creating it first),
//! `pidfile PATH MS VALUE` (write the pid to PATH if it does not exist yet,
//! sleep MS milliseconds, answer VALUE).

use exercise_04_05_retries::serve_if_worker;
use std::io::Write;
use std::time::Duration;

fn handle(task: &[u8]) -> Result<Vec<u8>, String> {
    let text = String::from_utf8_lossy(task);
    let words: Vec<&str> = text.split(' ').collect();
    match words.as_slice() {
        ["echo", rest @ ..] => Ok(rest.join(" ").into_bytes()),
        ["fail", rest @ ..] => Err(rest.join(" ")),
        ["abort"] => std::process::abort(),
        ["crash-once", path] => {
            if std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .is_ok()
            {
                std::process::abort();
            }
            Ok(b"second time lucky".to_vec())
        }
        ["pidfile", path, ms, value] => {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                f.write_all(std::process::id().to_string().as_bytes())
                    .map_err(|e| e.to_string())?;
            }
            std::thread::sleep(Duration::from_millis(ms.parse().map_err(|_| "bad MS")?));
            Ok(value.as_bytes().to_vec())
        }
        _ => Err(format!("unknown task {text:?}")),
    }
}

fn main() {
    serve_if_worker(handle);
    eprintln!("this is a worker: a pool starts it");
    std::process::exit(1);
}

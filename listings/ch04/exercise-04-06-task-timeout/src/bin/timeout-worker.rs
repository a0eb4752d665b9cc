//! The worker the tests start. A task is text: `echo WORDS`, `sleep MS`,
//! `forever`, `pidfile-forever PATH` (write the pid to PATH, then loop).

use exercise_04_06_task_timeout::serve_if_worker;
use std::time::Duration;

fn handle(task: &[u8]) -> Result<Vec<u8>, String> {
    let text = String::from_utf8_lossy(task);
    let words: Vec<&str> = text.split(' ').collect();
    match words.as_slice() {
        ["echo", rest @ ..] => Ok(rest.join(" ").into_bytes()),
        ["sleep", ms] => {
            std::thread::sleep(Duration::from_millis(ms.parse().map_err(|_| "bad MS")?));
            Ok(b"slept".to_vec())
        }
        ["forever"] => loop {
            std::thread::park();
        },
        ["pidfile-forever", path] => {
            std::fs::write(path, std::process::id().to_string()).map_err(|e| e.to_string())?;
            loop {
                std::thread::park();
            }
        }
        _ => Err(format!("unknown task {text:?}")),
    }
}

fn main() {
    serve_if_worker(handle);
    eprintln!("this is a worker: a pool starts it");
    std::process::exit(1);
}

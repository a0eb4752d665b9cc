use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

// ANCHOR: messages
#[derive(Serialize, Deserialize)]
struct Job {
    id: u32,
    numbers: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct Answer {
    id: u32,
    sum: u64,
    worker_pid: u32,
}
// ANCHOR_END: messages

// ANCHOR: worker
/// The worker: one JSON job per line on stdin, one JSON answer per line on stdout.
fn worker() -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let job: Job = serde_json::from_str(&line?)?;
        let answer = Answer {
            id: job.id,
            sum: job.numbers.iter().sum(),
            worker_pid: std::process::id(),
        };
        writeln!(out, "{}", serde_json::to_string(&answer)?)?;
        out.flush()?;
    }
    Ok(())
}
// ANCHOR_END: worker

// ANCHOR: main
fn main() -> std::io::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("worker") {
        return worker();
    }
    // The same program, started again as a separate process.
    let mut child = Command::new(std::env::current_exe()?)
        .arg("worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut to_worker = child.stdin.take().expect("stdin is piped");
    let mut from_worker = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();

    for id in 0..3 {
        let job = Job {
            id,
            numbers: (1..=10u64.pow(id + 1)).collect(),
        };
        let message = serde_json::to_string(&job)?;
        writeln!(to_worker, "{message}")?;
        let reply = from_worker.next().expect("the worker answers every job")?;
        let answer: Answer = serde_json::from_str(&reply)?;
        println!(
            "job {}: {} numbers in a {}-byte message; sum {}; computed in another process: {}",
            answer.id,
            job.numbers.len(),
            message.len(),
            answer.sum,
            answer.worker_pid != std::process::id()
        );
    }
    drop(to_worker); // end of input: the worker's loop ends and it exits
    println!("worker finished: {}", child.wait()?);
    Ok(())
}
// ANCHOR_END: main

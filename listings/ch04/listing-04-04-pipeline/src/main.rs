use crossbeam_channel::{RecvTimeoutError, bounded};
use std::thread;
use std::time::Duration;

type Line = (usize, String);

// ANCHOR: pipeline
fn pipeline(input: Vec<String>) -> String {
    let (lines_tx, lines_rx) = bounded::<Line>(4);
    let (parsed_tx, parsed_rx) = bounded::<Result<(usize, u64), String>>(4);

    // Stage 1, read: stops at the end of input, or when stage 2 hangs up.
    let reader = thread::spawn(move || {
        for (n, line) in input.into_iter().enumerate() {
            if lines_tx.send((n + 1, line)).is_err() {
                return "stopped early: the next stage hung up";
            }
        }
        "read everything"
    }); // lines_tx drops here: stage 2's loop ends

    // Stage 2, transform: on bad input, pass the error on and stop.
    let parser = thread::spawn(move || {
        for (n, line) in lines_rx {
            let item = match line.trim().parse::<u64>() {
                Ok(v) => Ok((n, v * v)),
                Err(e) => Err(format!("line {n}: {line:?}: {e}")),
            };
            let failed = item.is_err();
            if parsed_tx.send(item).is_err() || failed {
                return; // drops lines_rx: the reader's next send fails
            }
        }
    });

    // Stage 3, write (here, on this thread): every wait is bounded.
    let (mut written, mut total) = (0, 0);
    let ending = loop {
        match parsed_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok((_, square))) => (written, total) = (written + 1, total + square),
            Ok(Err(e)) => break format!("stage 2 failed on {e}"),
            Err(RecvTimeoutError::Disconnected) => break "input ended".to_string(),
            Err(RecvTimeoutError::Timeout) => break "stalled: no progress".to_string(),
        }
    };
    drop(parsed_rx);
    parser.join().unwrap();
    let read = reader.join().unwrap();
    format!("wrote {written} squares (sum {total}); {ending}; reader {read}")
}
// ANCHOR_END: pipeline

fn main() {
    // ANCHOR: main
    let good: Vec<String> = (1..=1_000).map(|n| n.to_string()).collect();
    println!("clean:  {}", pipeline(good));

    let mut bad: Vec<String> = (1..=1_000).map(|n| n.to_string()).collect();
    bad[41] = "forty-two".into();
    println!("broken: {}", pipeline(bad));
    // ANCHOR_END: main
}

//! Tests for this exercise. `cargo test -p exercise-03-08-zmq-pipeline` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests. Every wait is bounded.

#[cfg(not(feature = "solution"))]
use exercise_03_08_zmq_pipeline as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{RESULTS, SinkError, TASKS, decode, encode, run_pipeline, sink, worker};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(5);

fn squares(n: u64) -> Vec<u64> {
    (0..n).map(|t| t * t).collect()
}

#[test]
fn one_worker_delivers_every_result_once() {
    assert_eq!(run_pipeline(200, 1, TIMEOUT), Ok(squares(200)));
}

#[test]
fn four_workers_deliver_every_result_once() {
    assert_eq!(run_pipeline(2000, 4, TIMEOUT), Ok(squares(2000)));
}

/// A bound results socket and a PUSH connected to it, to feed the sink.
fn sink_with_feeder() -> (zmq::Context, zmq::Socket, zmq::Socket) {
    let ctx = zmq::Context::new();
    let results = ctx.socket(zmq::PULL).unwrap();
    results.bind(RESULTS).unwrap();
    let feeder = ctx.socket(zmq::PUSH).unwrap();
    feeder.set_sndtimeo(5000).unwrap();
    feeder.connect(RESULTS).unwrap();
    (ctx, results, feeder)
}

fn feed(feeder: &zmq::Socket, task: u64, square: u64) {
    feeder
        .send_multipart([&encode(task)[..], &encode(square)[..]], 0)
        .unwrap();
}

#[test]
fn sink_reports_as_soon_as_all_results_are_in() {
    let (_ctx, results, feeder) = sink_with_feeder();
    for task in [2, 0, 1] {
        feed(&feeder, task, task * task);
    }
    let started = Instant::now();
    assert_eq!(
        sink(&results, 3, Duration::from_secs(30)),
        Ok(vec![0, 1, 4])
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the sink waited for more"
    );
}

#[test]
fn sink_gives_up_after_its_timeout_and_says_how_many_arrived() {
    let (_ctx, results, feeder) = sink_with_feeder();
    feed(&feeder, 0, 0);
    feed(&feeder, 1, 1);
    let started = Instant::now();
    assert_eq!(
        sink(&results, 3, Duration::from_millis(200)),
        Err(SinkError::Timeout { received: 2 })
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn sink_rejects_a_duplicate_result() {
    let (_ctx, results, feeder) = sink_with_feeder();
    feed(&feeder, 1, 1);
    feed(&feeder, 1, 1);
    assert_eq!(sink(&results, 3, TIMEOUT), Err(SinkError::Duplicate(1)));
}

#[test]
fn sink_rejects_unknown_tasks_and_malformed_messages() {
    let (_ctx, results, feeder) = sink_with_feeder();
    feed(&feeder, 7, 49);
    assert_eq!(sink(&results, 3, TIMEOUT), Err(SinkError::UnknownTask(7)));
    feeder.send("not two frames", 0).unwrap();
    assert_eq!(sink(&results, 3, TIMEOUT), Err(SinkError::Malformed));
    feeder
        .send_multipart([&b"short"[..], &encode(1)[..]], 0)
        .unwrap();
    assert_eq!(sink(&results, 3, TIMEOUT), Err(SinkError::Malformed));
}

#[test]
fn worker_squares_its_tasks_and_stops_when_told() {
    let ctx = zmq::Context::new();
    let ventilator = ctx.socket(zmq::PUSH).unwrap();
    ventilator.set_sndtimeo(5000).unwrap();
    ventilator.bind(TASKS).unwrap();
    let results = ctx.socket(zmq::PULL).unwrap();
    results.set_rcvtimeo(5000).unwrap();
    results.bind(RESULTS).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let (finished_tx, finished) = mpsc::channel();
    {
        let (ctx, done) = (ctx.clone(), done.clone());
        thread::spawn(move || {
            let outcome = worker(&ctx, &done);
            let _ = finished_tx.send(outcome.is_ok());
        });
    }
    for task in 0..50u64 {
        ventilator.send(&encode(task)[..], 0).unwrap();
    }
    let mut got = [false; 50];
    for _ in 0..50 {
        let parts = results.recv_multipart(0).expect("no result within 5 s");
        assert_eq!(parts.len(), 2);
        let (task, square) = (decode(&parts[0]).unwrap(), decode(&parts[1]).unwrap());
        assert_eq!(square, task * task);
        assert!(!got[task as usize], "task {task} twice");
        got[task as usize] = true;
    }
    done.store(true, Ordering::Relaxed);
    assert_eq!(
        finished.recv_timeout(TIMEOUT),
        Ok(true),
        "worker did not stop cleanly"
    );
}

//! Tests for this exercise. `cargo test -p exercise-03-01-filter-chain` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_01_filter_chain as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{ChainError, run_chain};
use std::io::ErrorKind;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread and fails if it does not finish within `limit`:
/// a deadlock must fail the test, not hang it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("did not finish in time: a deadlock on a full pipe?")
}

fn stage(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn chain(stages: Vec<Vec<String>>, input: Vec<u8>) -> Result<Vec<u8>, ChainError> {
    within(Duration::from_secs(60), move || run_chain(&stages, &input))
}

#[test]
fn one_stage() {
    let out = chain(
        vec![stage(&["tr", "a-z", "A-Z"])],
        b"hello, pipes\n".to_vec(),
    );
    assert_eq!(out.unwrap(), b"HELLO, PIPES\n");
}

#[test]
fn three_stages() {
    let stages = vec![
        stage(&["tr", " ", "\n"]),
        stage(&["sort"]),
        stage(&["uniq"]),
    ];
    let out = chain(stages, b"pear apple pear fig apple pear\n".to_vec());
    assert_eq!(
        String::from_utf8(out.unwrap()).unwrap(),
        "apple\nfig\npear\n"
    );
}

#[test]
fn input_larger_than_every_pipe_buffer() {
    // 4 MiB: far more than the pipes between the stages can hold at once.
    let input: Vec<u8> = (0..4 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    let expected = input.to_ascii_uppercase();
    let stages = vec![
        stage(&["cat"]),
        stage(&["tr", "a-z", "A-Z"]),
        stage(&["cat"]),
    ];
    let out = chain(stages, input).unwrap();
    assert_eq!(out.len(), expected.len());
    assert!(
        out == expected,
        "the output differs from the input upper-cased"
    );
}

#[test]
fn a_stage_that_stops_reading_early_is_not_an_error() {
    let out = chain(vec![stage(&["head", "-c", "10"])], vec![b'x'; 1 << 20]);
    assert_eq!(out.unwrap(), vec![b'x'; 10]);
}

#[test]
fn a_failing_stage_is_reported_with_its_status() {
    let stages = vec![
        stage(&["cat"]),
        stage(&["sh", "-c", "cat >/dev/null; exit 3"]),
        stage(&["cat"]),
    ];
    match chain(stages, b"some input\n".to_vec()) {
        Err(ChainError::Failed {
            stage,
            program,
            status,
        }) => {
            assert_eq!((stage, program.as_str()), (1, "sh"));
            assert_eq!(status.code(), Some(3));
        }
        other => panic!("expected Failed for stage 1, got {other:?}"),
    }
}

#[test]
fn a_missing_program_is_reported() {
    for at in [0, 1] {
        let mut stages = vec![stage(&["cat"]), stage(&["cat"])];
        stages.insert(at, stage(&["no-such-program-03-01"]));
        match chain(stages, b"x\n".to_vec()) {
            Err(ChainError::Spawn { stage, source, .. }) => {
                assert_eq!(stage, at);
                assert_eq!(source.kind(), ErrorKind::NotFound);
            }
            other => panic!("expected Spawn for stage {at}, got {other:?}"),
        }
    }
}

#[test]
fn an_empty_chain_is_an_error() {
    assert!(matches!(chain(vec![], vec![]), Err(ChainError::Empty)));
    assert!(matches!(
        chain(vec![stage(&["cat"]), vec![]], vec![]),
        Err(ChainError::Empty)
    ));
}

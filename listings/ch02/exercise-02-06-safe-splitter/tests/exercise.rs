//! Tests for Exercise 2-6. `cargo test -p exercise-02-06-safe-splitter`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_06_safe_splitter as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// The words `text` should give: cut at spaces, without empty ones.
fn expected(text: &str) -> Vec<String> {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Runs `work` on a helper thread and waits at most `limit` for it, so that
/// a deadlock fails the test instead of hanging it. A panic in `work` fails
/// the test with that panic.
fn within(limit: Duration, work: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let helper = thread::spawn(move || {
        work();
        let _ = done.send(());
    });
    match finished.recv_timeout(limit) {
        Ok(()) => {}
        Err(RecvTimeoutError::Disconnected) => match helper.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the helper sends before it returns"),
        },
        Err(RecvTimeoutError::Timeout) => panic!("no result after {limit:?}: a deadlock?"),
    }
}

#[test]
fn splits_at_spaces_on_one_thread() {
    for text in [
        "alpha beta gamma",
        "  leading and trailing  ",
        "double  space",
        "one",
        "",
        "   ",
    ] {
        assert_eq!(ex::words(text), Some(expected(text)), "text {text:?}");
    }
}

#[test]
fn keeps_words_beyond_ascii_whole() {
    let text = "naïve café 東京 🦀";
    assert_eq!(ex::words(text), Some(expected(text)));
}

#[test]
fn refuses_a_nul_byte() {
    assert_eq!(ex::words("before\0after"), None);
    // ... and works normally afterwards.
    assert_eq!(ex::words("after all"), Some(expected("after all")));
}

#[test]
fn threads_at_once_each_get_their_own_words() {
    within(Duration::from_secs(60), || {
        thread::scope(|s| {
            for t in 0..8 {
                s.spawn(move || {
                    // Texts of different lengths, the first one empty.
                    let text: Vec<String> = (0..t * 3).map(|w| format!("t{t}w{w}")).collect();
                    let text = text.join(" ");
                    let want = Some(expected(&text));
                    for round in 0..500 {
                        assert_eq!(ex::words(&text), want, "thread {t}, round {round}");
                    }
                });
            }
        });
    });
}

#[test]
fn a_long_text_is_not_interrupted_by_short_ones() {
    within(Duration::from_secs(60), || {
        let long: Vec<String> = (0..2_000).map(|w| format!("w{w}")).collect();
        let long = long.join(" ");
        thread::scope(|s| {
            let long = &long;
            s.spawn(move || {
                for _ in 0..50 {
                    assert_eq!(ex::words(long), Some(expected(long)));
                }
            });
            for t in 0..4 {
                s.spawn(move || {
                    for _ in 0..2_000 {
                        assert_eq!(ex::words("x y"), Some(expected("x y")), "thread {t}");
                    }
                });
            }
        });
    });
}

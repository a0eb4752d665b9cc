//! Tests for this exercise. `cargo test -p exercise-07-06-mailbox` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_06_mailbox as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{MAILBOX, Os, Report, get_tid, kill_task, new_task, recv, send, wait_task, yield_now};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs an OS built by `setup` on a thread of its own, bounded in time, and
/// returns its report and the log the tasks wrote.
fn run_os(
    setup: impl FnOnce(&mut Os, Rc<RefCell<Vec<String>>>) + Send + 'static,
) -> (Report, Vec<String>) {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut os = Os::new();
        setup(&mut os, log.clone());
        let report = os.run();
        let _ = tx.send((report, log.take()));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the OS finished within 10 s (a todo!() panics, and so fails here)")
}

#[test]
fn ping_pong_in_order() {
    let (report, log) = run_os(|os, log| {
        os.spawn(async move {
            let me = get_tid().await;
            let echo = new_task(async move {
                loop {
                    let m = recv().await;
                    if m == "stop" || !send(me, format!("re: {m}")).await {
                        break;
                    }
                }
            })
            .await;
            for i in 0..100 {
                assert!(send(echo, format!("ping {i}")).await);
                let reply = recv().await;
                log.borrow_mut().push(reply);
            }
            send(echo, "stop").await;
            wait_task(echo).await;
        });
    });
    let expected: Vec<String> = (0..100).map(|i| format!("re: ping {i}")).collect();
    assert_eq!(log, expected);
    assert_eq!(report.deadlocked, 0);
}

#[test]
fn a_receiver_sleeps_until_a_message_comes() {
    let (report, log) = run_os(|os, log| {
        let receiver = os.spawn(async move {
            let m = recv().await;
            log.borrow_mut().push(m);
        });
        os.spawn(async move {
            for _ in 0..100 {
                yield_now().await; // the receiver must not be polled meanwhile
            }
            assert!(send(receiver, "late").await);
        });
    });
    assert_eq!(log, ["late"]);
    assert!(
        report.switches <= 110,
        "{} switches: the receiver was polled while it waited",
        report.switches
    );
}

#[test]
fn messages_wait_in_the_mailbox_and_keep_their_order() {
    let (_, log) = run_os(|os, log| {
        os.spawn(async move {
            let me = get_tid().await;
            for i in 0..5 {
                assert!(
                    send(me, format!("note {i}")).await,
                    "a task can write to itself"
                );
            }
            for _ in 0..5 {
                let m = recv().await;
                log.borrow_mut().push(m);
            }
        });
    });
    assert_eq!(log, ["note 0", "note 1", "note 2", "note 3", "note 4"]);
}

#[test]
fn many_senders_one_receiver_nothing_lost() {
    let (_, log) = run_os(|os, log| {
        let sink = os.spawn(async move {
            for _ in 0..100 {
                let m = recv().await;
                log.borrow_mut().push(m);
            }
        });
        for s in 0..10 {
            os.spawn(async move {
                for i in 0..10 {
                    assert!(send(sink, format!("{s}:{i}")).await);
                    yield_now().await;
                }
            });
        }
    });
    assert_eq!(log.len(), 100);
    for s in 0..10 {
        let mine: Vec<&String> = log
            .iter()
            .filter(|m| m.starts_with(&format!("{s}:")))
            .collect();
        let expected: Vec<String> = (0..10).map(|i| format!("{s}:{i}")).collect();
        assert_eq!(
            mine,
            expected.iter().collect::<Vec<_>>(),
            "sender {s}'s order"
        );
    }
}

#[test]
fn sends_to_ended_or_killed_tasks_fail() {
    let (_, log) = run_os(|os, log| {
        os.spawn(async move {
            let quick = new_task(async {}).await;
            wait_task(quick).await;
            let listener = new_task(async {
                recv().await;
                unreachable!("killed before any message");
            })
            .await;
            yield_now().await; // the listener blocks in recv
            assert!(kill_task(listener).await);
            let results = [
                send(quick, "hi").await,
                send(listener, "hi").await,
                send(999, "hi").await,
            ];
            log.borrow_mut().push(format!("{results:?}"));
        });
    });
    assert_eq!(log, ["[false, false, false]"]);
}

#[test]
fn a_full_mailbox_refuses_more() {
    let (report, log) = run_os(|os, log| {
        os.spawn(async move {
            let deaf = new_task(async {
                loop {
                    yield_now().await;
                }
            })
            .await;
            let mut accepted = 0;
            for i in 0..MAILBOX + 10 {
                if send(deaf, format!("{i}")).await {
                    accepted += 1;
                }
            }
            log.borrow_mut().push(accepted.to_string());
            kill_task(deaf).await;
        });
    });
    assert_eq!(log, [MAILBOX.to_string()]);
    assert_eq!(report.deadlocked, 0);
}

#[test]
fn a_receive_nobody_answers_is_reported_not_hung() {
    let (report, _) = run_os(|os, _| {
        os.spawn(async {
            recv().await;
        });
    });
    assert_eq!(report.deadlocked, 1);
}

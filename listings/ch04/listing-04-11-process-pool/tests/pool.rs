//! The pool survives a killed worker, a panic, a timeout and a worker that
//! writes garbage; every other task's result arrives exactly once.

use listing_04_11_process_pool::{Failure, Pool, TaskError};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const WORKER: &str = env!("CARGO_BIN_EXE_pool-test-worker");

fn pool(workers: usize) -> Pool {
    Pool::builder(workers)
        .program(WORKER)
        .task_timeout(Duration::from_secs(2))
        .max_attempts(3)
        .shutdown_grace(Duration::from_secs(2))
        .start()
        .expect("start the pool")
}

/// Runs `f` on a thread and fails the test if it takes longer than `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).expect("the pool hung")
}

fn tasks(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|t| t.as_bytes().to_vec()).collect()
}

/// `count` echo tasks with `special` put at index `at`.
fn with_special(count: usize, at: usize, special: &str) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            if i == at {
                special.as_bytes().to_vec()
            } else {
                format!("echo {i}").into_bytes()
            }
        })
        .collect()
}

/// Every task but `at` echoed its index; returns the error of task `at`.
fn check_others(results: Vec<Result<Vec<u8>, TaskError>>, at: usize) -> TaskError {
    let mut error = None;
    for (i, r) in results.into_iter().enumerate() {
        if i == at {
            error = Some(r.expect_err("the special task fails"));
        } else {
            assert_eq!(
                r.expect("an ordinary task succeeds"),
                i.to_string().into_bytes()
            );
        }
    }
    error.expect("task present")
}

#[test]
fn map_returns_results_in_task_order() {
    let results = within(Duration::from_secs(20), || {
        let pool = pool(3);
        pool.map(with_special(50, 0, "echo 0"))
    });
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.unwrap(), i.to_string().into_bytes());
    }
}

#[test]
fn chunks_give_the_same_results_with_fewer_messages() {
    let (results, stats) = within(Duration::from_secs(20), || {
        let pool = pool(2);
        let results = pool.map_chunked(with_special(100, 0, "echo 0"), 10);
        (results, pool.stats())
    });
    assert_eq!(stats.messages, 10);
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.unwrap(), i.to_string().into_bytes());
    }
}

#[test]
fn handler_errors_and_panics_are_reported_and_the_worker_lives_on() {
    let (results, stats) = within(Duration::from_secs(20), || {
        let pool = pool(2);
        let results = pool.map(tasks(&["echo a", "fail no such file", "panic", "echo b"]));
        (results, pool.stats())
    });
    assert_eq!(results[0], Ok(b"a".to_vec()));
    assert_eq!(
        results[1].as_ref().unwrap_err().failure,
        Failure::Handler("no such file".into())
    );
    let panic = results[2].as_ref().unwrap_err();
    assert_eq!(panic.task, 2);
    assert_eq!(
        panic.failure,
        Failure::Panicked("task asked to panic".into())
    );
    assert_eq!(results[3], Ok(b"b".to_vec()));
    // The panic was caught inside the worker: nobody was replaced.
    assert_eq!(stats.workers_started, 2);
    assert_eq!(stats.retries, 0);
}

#[test]
fn a_worker_killed_mid_task_is_replaced_and_its_task_retried() {
    let path = std::env::temp_dir().join(format!("pool-test-pid-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let special = format!("pidfile {} 300 survived", path.display());
    let p = path.clone();
    let (results, stats) = within(Duration::from_secs(20), move || {
        let pool = pool(2);
        let ticket = pool.submit(special.into_bytes());
        // The first attempt writes its pid; wait for it (bounded) and kill.
        let deadline = Instant::now() + Duration::from_secs(10);
        let pid = loop {
            if let Some(pid) = std::fs::read_to_string(&p)
                .ok()
                .and_then(|s| s.parse::<i32>().ok())
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the task never started");
            thread::sleep(Duration::from_millis(5));
        };
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
        let others = pool.map(with_special(20, 0, "echo 0"));
        let result = ticket
            .wait(Duration::from_secs(10))
            .ok()
            .expect("the ticket's result");
        (result.map(|r| (r, others)), pool.stats())
    });
    let _ = std::fs::remove_file(&path);
    let (result, others) = results.expect("the retried task succeeds");
    assert_eq!(result, b"survived");
    for (i, r) in others.into_iter().enumerate() {
        assert_eq!(r.unwrap(), i.to_string().into_bytes());
    }
    assert_eq!(stats.retries, 1);
    assert_eq!(stats.workers_started, 3);
}

#[test]
fn a_task_that_kills_every_worker_fails_after_bounded_attempts() {
    let (error, stats) = within(Duration::from_secs(20), || {
        let pool = pool(2);
        let error = check_others(pool.map(with_special(30, 7, "abort")), 7);
        (error, pool.stats())
    });
    assert_eq!(error.task, 7);
    assert_eq!(error.attempts, 3);
    assert_eq!(
        error.failure,
        Failure::Crashed("killed by signal 6 (SIGABRT)".into())
    );
    assert!(
        error.to_string().contains("task 7 failed after 3 attempts"),
        "{error}"
    );
    assert_eq!(stats.retries, 2);
    assert_eq!(stats.workers_started, 2 + 3);
}

#[test]
fn a_task_past_its_timeout_has_its_worker_killed_and_replaced() {
    let (error, elapsed, stats) = within(Duration::from_secs(20), || {
        let pool = Pool::builder(2)
            .program(WORKER)
            .task_timeout(Duration::from_millis(500))
            .start()
            .unwrap();
        let started = Instant::now();
        let error = check_others(pool.map(with_special(20, 3, "forever")), 3);
        (error, started.elapsed(), pool.stats())
    });
    assert_eq!(error.task, 3);
    assert_eq!(error.attempts, 1, "a timeout is not retried");
    assert_eq!(error.failure, Failure::TimedOut(Duration::from_millis(500)));
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(stats.workers_started, 3);
}

#[test]
fn a_worker_that_writes_garbage_is_replaced_and_the_task_fails_clearly() {
    let (error, stats) = within(Duration::from_secs(20), || {
        let pool = pool(2);
        let error = check_others(pool.map(with_special(20, 5, "garbage")), 5);
        (error, pool.stats())
    });
    assert_eq!(error.task, 5);
    assert_eq!(error.attempts, 3);
    let Failure::BadReply(why) = &error.failure else {
        panic!("{error}")
    };
    assert!(why.contains("exceeds the maximum"), "{why}");
    assert_eq!(stats.workers_started, 2 + 3);
}

#[test]
fn results_arrive_in_completion_order_exactly_once() {
    let order = within(Duration::from_secs(20), || {
        let pool = pool(3);
        let list = tasks(&["sleep 600 slow", "sleep 300 middle", "sleep 0 fast"]);
        pool.as_completed(list)
            .map(|(i, r)| (i, r.unwrap()))
            .collect::<Vec<_>>()
    });
    let ids: Vec<usize> = order.iter().map(|(i, _)| *i).collect();
    assert_eq!(ids, [2, 1, 0]);
    assert_eq!(order[0].1, b"fast");
}

#[test]
fn a_ticket_waits_with_a_bound_and_gives_its_result_once() {
    within(Duration::from_secs(20), || {
        let pool = pool(1);
        let ticket = pool.submit(b"sleep 300 done".to_vec());
        let ticket = ticket
            .wait(Duration::from_millis(10))
            .expect_err("not ready yet");
        assert_eq!(
            ticket.wait(Duration::from_secs(10)).ok().unwrap(),
            Ok(b"done".to_vec())
        );
    });
}

#[test]
fn shutdown_closes_the_pipes_and_every_worker_exits_with_status_0() {
    let (exits, results) = within(Duration::from_secs(20), || {
        let pool = pool(3);
        let results = pool.map(with_special(10, 0, "echo 0"));
        (pool.shutdown(), results)
    });
    assert_eq!(results.len(), 10);
    assert_eq!(exits.len(), 3);
    for e in &exits {
        assert!(!e.killed);
        assert_eq!(e.status.code(), Some(0));
        // Reaped: the pid is no longer our child.
        let gone = nix::sys::wait::waitpid(
            Pid::from_raw(e.pid as i32),
            Some(nix::sys::wait::WaitPidFlag::WNOHANG),
        );
        assert!(gone.is_err(), "worker {} was not reaped", e.pid);
    }
}

#[test]
fn shutdown_kills_a_worker_still_running_at_the_deadline() {
    let (exits, error, elapsed) = within(Duration::from_secs(20), || {
        let pool = Pool::builder(2)
            .program(WORKER)
            .shutdown_grace(Duration::from_millis(200))
            .start()
            .unwrap();
        let ticket = pool.submit(b"forever".to_vec());
        let started = Instant::now();
        let exits = pool.shutdown();
        let error = ticket
            .wait(Duration::from_secs(5))
            .ok()
            .unwrap()
            .unwrap_err();
        (exits, error, started.elapsed())
    });
    assert_eq!(error.failure, Failure::PoolClosed);
    assert_eq!(exits.iter().filter(|e| e.killed).count(), 1);
    assert_eq!(
        exits.iter().filter(|e| e.status.code() == Some(0)).count(),
        1
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn oversized_tasks_fail_before_they_are_sent() {
    let results = within(Duration::from_secs(20), || {
        let pool = Pool::builder(1)
            .program(WORKER)
            .max_frame(64)
            .start()
            .unwrap();
        pool.map(vec![b"echo small".to_vec(), vec![b'x'; 100]])
    });
    assert_eq!(results[0], Ok(b"small".to_vec()));
    assert!(matches!(
        results[1].as_ref().unwrap_err().failure,
        Failure::TooLarge(_)
    ));
}

#[test]
fn tasks_from_many_threads_each_get_their_own_result() {
    let all = within(Duration::from_secs(30), || {
        let pool = std::sync::Arc::new(pool(3));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let pool = pool.clone();
                thread::spawn(move || {
                    let list: Vec<Vec<u8>> = (0..25)
                        .map(|i| format!("echo {t}-{i}").into_bytes())
                        .collect();
                    pool.map(list)
                        .into_iter()
                        .map(|r| String::from_utf8(r.unwrap()).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 100);
    assert_eq!(unique.len(), 100);
}

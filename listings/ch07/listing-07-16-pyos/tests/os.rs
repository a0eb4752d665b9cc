//! The tiny OS's system calls: kills, waits, I/O waits and deadlocks.

use listing_07_16_pyos::{
    Os, get_tid, kill_task, new_task, read_wait, wait_task, write_wait, yield_now,
};
use std::cell::RefCell;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails if it takes too long.
fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the OS finished in time")
}

#[test]
fn ids_are_distinct_and_new_tasks_run() {
    let seen = bounded(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut os = Os::new();
        let log = seen.clone();
        os.spawn(async move {
            let me = get_tid().await;
            log.borrow_mut().push(me);
            for _ in 0..3 {
                let log = log.clone();
                let child = new_task(async move {
                    let me = get_tid().await;
                    log.borrow_mut().push(me);
                })
                .await;
                wait_task(child).await;
            }
        });
        let report = os.run();
        assert_eq!(report.deadlocked, 0);
        seen.take()
    });
    assert_eq!(seen, vec![1, 2, 3, 4]);
}

#[test]
fn waiters_of_a_killed_task_wake() {
    let log = bounded(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut os = Os::new();
        let l = log.clone();
        os.spawn(async move {
            let victim = new_task(async {
                loop {
                    yield_now().await;
                }
            })
            .await;
            for _ in 0..3 {
                let l = l.clone();
                new_task(async move {
                    wait_task(victim).await;
                    l.borrow_mut().push("waiter woke");
                })
                .await;
            }
            yield_now().await; // let the waiters block
            l.borrow_mut().push("killing");
            assert!(kill_task(victim).await);
            assert!(!kill_task(victim).await, "a dead task cannot die twice");
            wait_task(victim).await; // returns at once
        });
        let report = os.run();
        assert_eq!(report.deadlocked, 0);
        log.take()
    });
    assert_eq!(
        log,
        ["killing", "waiter woke", "waiter woke", "waiter woke"]
    );
}

#[test]
fn killing_a_task_blocked_on_io_removes_its_wait() {
    let report = bounded(|| {
        let (a, _b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let mut os = Os::new();
        os.spawn(async move {
            // Nobody ever writes to `a`: without cleanup, the OS would
            // block in poll(2) forever after the kill.
            let reader = new_task(async move { read_wait(&a).await }).await;
            yield_now().await;
            assert!(kill_task(reader).await);
        });
        os.run()
    });
    assert_eq!(report.deadlocked, 0);
}

#[test]
fn a_task_that_kills_itself_stops_and_its_waiters_wake() {
    let woke = bounded(|| {
        let woke = Rc::new(RefCell::new(false));
        let mut os = Os::new();
        let w = woke.clone();
        os.spawn(async move {
            let suicidal = new_task(async {
                let me = get_tid().await;
                kill_task(me).await;
                unreachable!("a killed task is never resumed");
            })
            .await;
            wait_task(suicidal).await;
            *w.borrow_mut() = true;
        });
        assert_eq!(os.run().deadlocked, 0);
        woke.take()
    });
    assert!(woke);
}

#[test]
fn tasks_waiting_on_each_other_are_reported_not_hung() {
    let report = bounded(|| {
        let mut os = Os::new();
        os.spawn(async {
            let me = get_tid().await;
            let other = new_task(async move { wait_task(me).await }).await;
            wait_task(other).await;
        });
        os.run()
    });
    assert_eq!(report.deadlocked, 2);
}

#[test]
fn read_and_write_waits_resume_on_readiness() {
    let got = bounded(|| {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        b.set_nonblocking(true).unwrap();
        let got = Rc::new(RefCell::new(Vec::new()));
        let g = got.clone();
        let mut os = Os::new();
        os.spawn(async move {
            let mut buf = [0u8; 16];
            read_wait(&a).await;
            let n = a.read(&mut buf).unwrap();
            g.borrow_mut().extend_from_slice(&buf[..n]);
        });
        os.spawn(async move {
            yield_now().await; // the reader blocks first
            write_wait(&b).await;
            b.write_all(b"ping").unwrap();
        });
        let report = os.run();
        assert!(report.io_polls >= 1);
        got.take()
    });
    assert_eq!(got, b"ping");
}

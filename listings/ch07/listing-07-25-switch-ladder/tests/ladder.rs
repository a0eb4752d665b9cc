use listing_07_25_switch_ladder::*;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails if it does not finish: a rung
/// whose partner stops answering would otherwise block the test for ever.
fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the rung finished in time")
}

#[test]
fn every_rung_completes_its_round_trips() {
    // Each rung asserts every byte it gets back; completing is the property.
    bounded(|| process_round_trips(100)).expect("process rung");
    bounded(|| thread_round_trips(100)).expect("thread rung");
    bounded(|| tokio_round_trips(100)).expect("tokio rung");
    bounded(|| coroutine_round_trips(100));
    bounded(|| iterator_steps(100));
}

#[test]
fn forked_children_are_reaped_after_many_runs() {
    // Each call waits for its child with waitpid, which fails if the child
    // was already reaped or never existed. 20 in a row must all succeed.
    bounded(|| {
        for _ in 0..20 {
            process_round_trips(10).expect("fork, ping-pong, reap");
        }
    });
}

#[test]
fn the_async_pair_runs_on_any_executor() {
    // The same tasks on a second, independent runtime, with the ping
    // starting only after the pong task has had a turn.
    bounded(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ((dt, dr), (ut, ur)) = channels();
        let pong = rt.spawn(pong_task(dr, ut));
        rt.block_on(async {
            tokio::task::yield_now().await;
            ping_task(50, dt, ur).await;
            pong.await.expect("pong ends when ping's sender is dropped");
        });
    });
}

use listing_07_26_task_memory::*;
use std::sync::{Mutex, MutexGuard};

/// The measurements read process-wide counters: tests that run at the same
/// time in this process would count each other's memory, so they take turns.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn a_coroutine_reserves_its_stack_and_touches_little() {
    let _turn = one_at_a_time();
    let per = coroutines(200, 256 * 1024);
    // 256 KiB plus a guard page of address space each.
    assert!(per.reserved >= 256.0 * 1024.0, "{per:?}");
    assert!(per.resident < 64.0 * 1024.0, "{per:?}");
}

#[test]
fn a_future_is_at_least_the_data_it_keeps_across_await() {
    let _turn = one_at_a_time();
    let bytes = future_bytes();
    assert!((1024..2048).contains(&bytes), "{bytes}");
}

#[test]
fn tokio_tasks_cost_far_less_than_a_page() {
    let _turn = one_at_a_time();
    let per = tokio_tasks(20_000);
    assert!(per.resident < 2048.0, "{per:?}");
}

#[test]
fn threads_are_joined_and_measured() {
    let _turn = one_at_a_time();
    let per = threads(20);
    assert!(per.reserved > 0.0, "{per:?}");
}

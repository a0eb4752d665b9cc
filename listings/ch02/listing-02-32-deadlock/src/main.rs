use std::sync::{Barrier, Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

/// Takes `lock`, trying until `deadline`; `None` if it is still held by then.
/// `lock()` would wait for ever; a deadline turns a hang into an error.
fn lock_until<'a, T>(lock: &'a Mutex<T>, deadline: Instant) -> Option<MutexGuard<'a, T>> {
    loop {
        match lock.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => thread::yield_now(),
            Err(TryLockError::WouldBlock) => return None,
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
        }
    }
}

fn main() {
    let (a, b) = (Mutex::new("account A"), Mutex::new("account B"));
    let both_hold_one = Barrier::new(2);
    let patience = Duration::from_millis(200);
    // ANCHOR: deadlock
    let gave_up: Vec<bool> = thread::scope(|s| {
        let (a, b, gate) = (&a, &b, &both_hold_one);
        let ab = s.spawn(move || {
            let _first = a.lock().unwrap();
            gate.wait(); // make sure the other thread holds its first lock
            // `true` if this thread gave up.
            lock_until(b, Instant::now() + patience).is_none()
        });
        let ba = s.spawn(move || {
            let _first = b.lock().unwrap();
            gate.wait();
            lock_until(a, Instant::now() + patience).is_none()
        });
        vec![ab.join().unwrap(), ba.join().unwrap()]
    });
    // ANCHOR_END: deadlock
    // Once the first thread gives up and lets go, the other may finish: at
    // least one of them gives up, whichever it is.
    println!("deadlock detected: {}", gave_up.contains(&true));
    println!(
        "each thread held the lock the other wanted; reported after {} ms",
        patience.as_millis()
    );
}

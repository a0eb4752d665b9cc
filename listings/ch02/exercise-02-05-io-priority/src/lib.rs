//! A toy GIL with CPython's switch-interval policy (Listing 2-20, trimmed).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

pub struct Gil {
    state: Mutex<State>,
    released: Condvar,
    switched: Condvar,
    drop_request: AtomicBool,
    switch: Duration,
}

struct State {
    held: bool,
    switches: u64,
}

impl Gil {
    pub fn new(switch: Duration) -> Gil {
        Gil {
            state: Mutex::new(State {
                held: false,
                switches: 0,
            }),
            released: Condvar::new(),
            switched: Condvar::new(),
            drop_request: AtomicBool::new(false),
            switch,
        }
    }

    /// Waits for the lock and takes it. With `after_io`, the caller comes
    /// back from blocking I/O and should get the lock without waiting a whole
    /// switch interval.
    pub fn acquire(&self, after_io: bool) {
        let mut s = self.state.lock().unwrap();
        if after_io && s.held {
            todo!("ask the holder to drop the lock now")
        }
        while s.held {
            let seen = s.switches;
            let (guard, waited) = self.released.wait_timeout(s, self.switch).unwrap();
            s = guard;
            if waited.timed_out() && s.held && s.switches == seen {
                self.drop_request.store(true, Relaxed);
            }
        }
        s.held = true;
        s.switches += 1;
        self.drop_request.store(false, Relaxed);
        self.switched.notify_all();
    }

    /// Lets go of the lock.
    pub fn release(&self) {
        self.state.lock().unwrap().held = false;
        self.released.notify_one();
    }

    /// Called by a running "interpreter" between instructions: on request,
    /// drops the lock, waits until another thread has taken it (so that it
    /// does not win it straight back), then waits its turn.
    pub fn check(&self) {
        if !self.drop_request.load(Relaxed) {
            return;
        }
        let mut s = self.state.lock().unwrap();
        s.held = false;
        let seen = s.switches;
        self.released.notify_one();
        while s.switches == seen {
            let (guard, waited) = self
                .switched
                .wait_timeout(s, Duration::from_millis(50))
                .unwrap();
            s = guard;
            if waited.timed_out() {
                break;
            }
        }
        drop(s);
        self.acquire(false);
    }

    /// Runs a blocking call without the lock, then takes it back.
    pub fn blocking<R>(&self, call: impl FnOnce() -> R) -> R {
        self.release();
        let result = call();
        self.acquire(true);
        result
    }
}

//! A global interpreter lock (GIL) in the style of CPython's, guarding the
//! tiny interpreter of Listing 1-6. The book's experiments
//! (experiments/src/ch02/) compile this file and measure with it.

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: policy
/// How a thread that holds the GIL comes to let go of it.
#[derive(Clone, Copy, Debug)]
pub enum Policy {
    /// Python 2: every `n` instructions ("ticks") the holder releases the
    /// lock and at once asks for it again. `n` must be a power of two, so
    /// the check is a mask rather than a division.
    Ticks(u32),
    /// Python 3.2 and later: a thread that has waited `switch` for the lock
    /// asks the holder to drop it, and the holder does at its next check.
    /// With `io_priority` (the fix Beazley proposed, never merged), a thread
    /// coming back from I/O asks at once instead of after `switch`.
    Interval { switch: Duration, io_priority: bool },
}
// ANCHOR_END: policy

// ANCHOR: gil
pub struct Gil {
    state: Mutex<State>,
    released: Condvar,        // the holder let go
    switched: Condvar,        // a waiter took the lock after a forced drop
    drop_request: AtomicBool, // read by the holder between instructions
    policy: Policy,
    tick_mask: u64, // n - 1 for Policy::Ticks(n)
}

struct State {
    held: bool,
    /// Counts hand-offs, so a waiter can tell whether the holder changed.
    switches: u64,
    /// Threads waiting on `released` and on `switched`. Notifying a Rust
    /// `Condvar` is a system call even when nobody waits (glibc's condition
    /// variables skip it), so the GIL notifies only when someone does.
    waiting: u32,
    waiting_switch: u32,
}
// ANCHOR_END: gil

impl Gil {
    pub fn new(policy: Policy) -> Gil {
        let tick_mask = match policy {
            Policy::Ticks(n) => {
                assert!(n.is_power_of_two(), "Policy::Ticks needs a power of two");
                u64::from(n) - 1
            }
            Policy::Interval { .. } => 0,
        };
        Gil {
            state: Mutex::new(State {
                held: false,
                switches: 0,
                waiting: 0,
                waiting_switch: 0,
            }),
            released: Condvar::new(),
            switched: Condvar::new(),
            drop_request: AtomicBool::new(false),
            policy,
            tick_mask,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    // ANCHOR: acquire
    /// Waits for the lock and takes it. `after_io` says the caller comes back
    /// from a blocking call (for the I/O-priority policy).
    pub fn acquire(&self, after_io: bool) {
        let mut s = self.state();
        if let Policy::Interval {
            switch,
            io_priority,
        } = self.policy
        {
            if after_io && io_priority && s.held {
                self.drop_request.store(true, Relaxed); // ask now, not in `switch`
            }
            while s.held {
                let seen = s.switches;
                s.waiting += 1;
                let (guard, waited) = self.released.wait_timeout(s, switch).unwrap();
                s = guard;
                s.waiting -= 1;
                // A whole interval passed and the same thread still holds it:
                // ask it to drop the lock at its next check.
                if waited.timed_out() && s.held && s.switches == seen {
                    self.drop_request.store(true, Relaxed);
                }
            }
        } else {
            while s.held {
                s.waiting += 1;
                s = self.released.wait(s).unwrap();
                s.waiting -= 1;
            }
        }
        s.held = true;
        s.switches += 1;
        self.drop_request.store(false, Relaxed);
        if s.waiting_switch > 0 {
            self.switched.notify_all();
        }
    }

    /// Lets go of the lock and wakes one waiter, if there is one.
    pub fn release(&self) {
        let mut s = self.state();
        s.held = false;
        if s.waiting > 0 {
            self.released.notify_one();
        }
    }
    // ANCHOR_END: acquire

    // ANCHOR: check
    /// Called by the interpreter between instructions; `executed` counts them.
    /// Cheap when nobody waits: one relaxed load, or one mask and compare.
    ///
    /// `drop_request` is only a hint, so `Relaxed` is enough: it orders
    /// nothing, and every hand-off of the lock itself goes through the mutex,
    /// which orders the interpreter's memory. A late-seen request costs one
    /// more instruction before the switch, never a wrong result.
    #[inline]
    pub fn check(&self, executed: u64) {
        match self.policy {
            Policy::Ticks(_) => {
                if executed & self.tick_mask == 0 {
                    self.release(); // and straight back in line: a waiter
                    self.acquire(false); // woken on another core often loses
                }
            }
            Policy::Interval { .. } => {
                if self.drop_request.load(Relaxed) {
                    self.forced_switch();
                }
            }
        }
    }

    /// Drops the lock on request, and waits until another thread has taken
    /// it before asking again (CPython's FORCE_SWITCHING): otherwise the
    /// dropping thread, already running, would usually win it straight back.
    fn forced_switch(&self) {
        let mut s = self.state();
        s.held = false;
        let seen = s.switches;
        if s.waiting > 0 {
            self.released.notify_one();
        }
        while s.switches == seen {
            // Bounded: if no one takes the lock, carry on.
            s.waiting_switch += 1;
            let (guard, waited) = self
                .switched
                .wait_timeout(s, Duration::from_millis(50))
                .unwrap();
            s = guard;
            s.waiting_switch -= 1;
            if waited.timed_out() {
                break;
            }
        }
        drop(s);
        self.acquire(false);
    }
    // ANCHOR_END: check

    // ANCHOR: blocking
    /// Runs a blocking call without the lock, as CPython does around every
    /// `recv`, `send`, `sleep` and file read: other threads may run meanwhile.
    pub fn blocking<R>(&self, call: impl FnOnce() -> R) -> R {
        self.release();
        let result = call();
        self.acquire(true);
        result
    }
    // ANCHOR_END: blocking
}

/// The tiny interpreter's instructions (Listing 1-6).
#[derive(Clone, Copy)]
pub enum Op {
    Load(usize),
    Store(usize),
    Const(i64),
    Sub,
    JumpIfNotPositive(usize),
    Jump(usize),
    Return,
}

/// `while n > 0: n -= 1` with `n` in local 0.
pub const COUNTDOWN: [Op; 8] = [
    Op::Load(0),
    Op::JumpIfNotPositive(7),
    Op::Load(0),
    Op::Const(1),
    Op::Sub,
    Op::Store(0),
    Op::Jump(0),
    Op::Return,
];

// ANCHOR: interpret
/// Runs `code` on `locals`, checking the GIL (if any) between every two
/// instructions: simpler than CPython's evaluation loop, which checks only at
/// backward jumps and calls, and costlier. Returns the instructions executed.
pub fn interpret(code: &[Op], locals: &mut [i64], gil: Option<&Gil>) -> u64 {
    let mut stack: Vec<i64> = Vec::with_capacity(8);
    let (mut pc, mut executed) = (0, 0u64);
    loop {
        if let Some(gil) = gil {
            gil.check(executed);
        }
        let op = code[pc];
        pc += 1;
        executed += 1;
        match op {
            Op::Load(slot) => stack.push(locals[slot]),
            Op::Store(slot) => locals[slot] = stack.pop().expect("stack underflow"),
            Op::Const(value) => stack.push(value),
            Op::Sub => {
                let b = stack.pop().expect("stack underflow");
                let a = stack.pop().expect("stack underflow");
                stack.push(a - b);
            }
            Op::JumpIfNotPositive(target) => {
                if stack.pop().expect("stack underflow") <= 0 {
                    pc = target;
                }
            }
            Op::Jump(target) => pc = target,
            Op::Return => return executed,
        }
    }
}
// ANCHOR_END: interpret

// ANCHOR: countdown
/// Beazley's experiment: `threads` interpreter threads share a countdown of
/// `n` (each counts `n / threads`), under `gil` or with none. Returns the
/// wall-clock time.
pub fn countdown(n: i64, threads: usize, gil: Option<&Gil>) -> Duration {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(move || {
                if let Some(gil) = gil {
                    gil.acquire(false);
                }
                let mut locals = [n / threads as i64];
                black_box(interpret(&COUNTDOWN, &mut locals, gil));
                if let Some(gil) = gil {
                    gil.release();
                }
            });
        }
    });
    start.elapsed()
}
// ANCHOR_END: countdown

// ANCHOR: echo
/// An echo server thread under the GIL: it holds the lock while it "runs
/// Python", and gives it up around each blocking `read` and `write`.
fn serve(conn: TcpStream, gil: &Gil) -> std::io::Result<()> {
    let mut conn = conn;
    conn.set_nodelay(true)?;
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = [0u8; 64]; // messages are capped at 64 bytes
    let mut locals = [0i64];
    gil.acquire(false);
    let served = loop {
        let n = match gil.blocking(|| conn.read(&mut buf)) {
            Ok(0) => break Ok(()), // the client hung up
            Ok(n) => n,
            Err(e) => break Err(e),
        };
        locals[0] = 3; // a few instructions of request handling
        interpret(&COUNTDOWN, &mut locals, Some(gil));
        if let Err(e) = gil.blocking(|| conn.write_all(&buf[..n])) {
            break Err(e);
        }
    };
    gil.release(); // on every path, or the other threads wait for ever
    served
}
// ANCHOR_END: echo

// ANCHOR: convoy
/// What runs beside the echo server during a measurement.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load {
    /// Interpreter threads counting down under the server's GIL.
    pub gil_threads: usize,
    /// Threads spinning outside the GIL: they compete for the CPUs only.
    pub free_threads: usize,
}

/// Sets `stop` when dropped, so the busy threads end on every path out of
/// `echo_rate`, errors included; the scope would otherwise wait for ever.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Relaxed);
    }
}

/// Requests per second the echo server answers during `duration`, with
/// `load` running beside it. The client stands for another process: it
/// does not take the GIL.
pub fn echo_rate(gil: &Gil, load: Load, duration: Duration) -> std::io::Result<f64> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (server_side, _) = listener.accept()?;
    let stop = AtomicBool::new(false);
    let mut answered = 0u64;
    thread::scope(|s| -> std::io::Result<()> {
        let server = s.spawn(|| serve(server_side, gil));
        for _ in 0..load.gil_threads {
            s.spawn(|| {
                gil.acquire(false);
                while !stop.load(Relaxed) {
                    let mut locals = [100_000];
                    interpret(&COUNTDOWN, &mut locals, Some(gil));
                }
                gil.release();
            });
        }
        for _ in 0..load.free_threads {
            s.spawn(|| {
                while !stop.load(Relaxed) {
                    let mut locals = [100_000];
                    black_box(interpret(&COUNTDOWN, &mut locals, None));
                }
            });
        }
        let _stop = StopOnDrop(&stop);
        client.set_nodelay(true)?;
        client.set_read_timeout(Some(Duration::from_secs(10)))?;
        let start = Instant::now();
        let mut byte = [0u8; 1];
        while start.elapsed() < duration {
            client.write_all(b"x")?;
            client.read_exact(&mut byte)?;
            answered += 1;
        }
        drop(client); // the server reads end-of-stream and returns
        server.join().expect("the server panicked")
    })?;
    Ok(answered as f64 / duration.as_secs_f64())
}
// ANCHOR_END: convoy

/// Restricts the calling thread, and the threads it spawns from now on, to
/// one CPU (Linux). Returns the CPU.
pub fn pin_to_one_cpu() -> nix::Result<usize> {
    use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
    use nix::unistd::Pid;
    let allowed = sched_getaffinity(Pid::from_raw(0))?;
    let cpu = (0..CpuSet::count())
        .find(|&c| allowed.is_set(c).unwrap_or(false))
        .unwrap_or(0);
    let mut one = CpuSet::new();
    one.set(cpu)?;
    sched_setaffinity(Pid::from_raw(0), &one)?;
    Ok(cpu)
}

//! The tiny OS of Listing 7-16 with one more system call, `Sleep`: a task
//! sleeps for a while, and the OS blocks in poll(2) no longer than until the
//! earliest sleeper is due. Your work is in the four timer functions of
//! `Kernel`, marked `todo!()`.

use nix::libc;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A task id, as Beazley's `Task.tid`. Ids start at 1 and are never reused.
pub type Tid = u64;

type TaskFuture = Pin<Box<dyn Future<Output = ()>>>;

/// The system calls, as values: what a task hands to the OS when it traps.
pub enum SysCall {
    GetTid,
    NewTask(TaskFuture),
    KillTask(Tid),
    WaitTask(Tid),
    ReadWait(RawFd),
    WriteWait(RawFd),
    Sleep(Duration),
}

/// What the OS hands back when it resumes the task.
enum Reply {
    Nothing,
    Tid(Tid),
    Flag(bool),
}

/// A future that traps into the OS once, then returns the OS's reply.
struct Trap {
    call: Option<SysCall>,
}

impl Future for Trap {
    type Output = Reply;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Reply> {
        match self.call.take() {
            // First poll: leave the call with the kernel and give up the CPU,
            // as `yield GetTid()` does in Python.
            Some(call) => {
                with_kernel(|k| k.trap = Some(call));
                Poll::Pending
            }
            // Second poll: the OS has resumed us; collect its answer.
            None => Poll::Ready(with_kernel(|k| k.take_reply())),
        }
    }
}

/// This task's id.
pub async fn get_tid() -> Tid {
    match (Trap {
        call: Some(SysCall::GetTid),
    })
    .await
    {
        Reply::Tid(tid) => tid,
        _ => unreachable!("GetTid answers with a tid"),
    }
}

/// Starts `task` as a new task and returns its id.
pub async fn new_task(task: impl Future<Output = ()> + 'static) -> Tid {
    let call = SysCall::NewTask(Box::pin(task));
    match (Trap { call: Some(call) }).await {
        Reply::Tid(tid) => tid,
        _ => unreachable!("NewTask answers with a tid"),
    }
}

/// Kills task `tid`; false if there was no such task.
pub async fn kill_task(tid: Tid) -> bool {
    match (Trap {
        call: Some(SysCall::KillTask(tid)),
    })
    .await
    {
        Reply::Flag(found) => found,
        _ => unreachable!("KillTask answers with a flag"),
    }
}

/// Waits until task `tid` has ended (returned or been killed).
pub async fn wait_task(tid: Tid) {
    Trap {
        call: Some(SysCall::WaitTask(tid)),
    }
    .await;
}

/// Waits until `fd` is readable (or has hung up).
pub async fn read_wait(fd: &impl AsFd) {
    let fd = fd.as_fd().as_raw_fd();
    Trap {
        call: Some(SysCall::ReadWait(fd)),
    }
    .await;
}

/// Waits until `fd` is writable.
pub async fn write_wait(fd: &impl AsFd) {
    let fd = fd.as_fd().as_raw_fd();
    Trap {
        call: Some(SysCall::WriteWait(fd)),
    }
    .await;
}

/// Sleeps for `duration` while the other tasks run.
pub async fn sleep(duration: Duration) {
    Trap {
        call: Some(SysCall::Sleep(duration)),
    }
    .await;
}

/// Gives the CPU to the other ready tasks, as a bare `yield` in Beazley's OS.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|_| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            Poll::Pending // no trap: the scheduler re-queues us at the back
        }
    })
    .await
}

/// A task blocked until `fd` is ready for reading or writing.
struct IoWait {
    fd: RawFd,
    write: bool,
    tid: Tid,
}

/// What a run of the OS did, for tests and experiments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Times a task was resumed (polled).
    pub switches: u64,
    /// `poll(2)` calls on the I/O wait set.
    pub io_polls: u64,
    /// Tasks still alive when the OS stopped because none could run.
    pub deadlocked: usize,
}

struct Kernel {
    next_tid: Tid,
    /// Every live task; the one being polled is out of the map meanwhile.
    tasks: HashMap<Tid, TaskFuture>,
    ready: VecDeque<Tid>,
    /// Tasks polled since the last I/O check, and how many before the next.
    budget: usize,
    current: Tid,
    /// The system call the current task made, if it made one.
    trap: Option<SysCall>,
    replies: HashMap<Tid, Reply>,
    /// For each task, the tasks blocked in `WaitTask` on it.
    exit_waiters: HashMap<Tid, Vec<Tid>>,
    /// The I/O wait set, Beazley's `read_waiting` and `write_waiting`.
    io_waits: Vec<IoWait>,
    /// Sleeping tasks, earliest deadline first.
    timers: BinaryHeap<Reverse<(Instant, Tid)>>,
    report: Report,
}

thread_local! {
    static KERNEL: RefCell<Option<Kernel>> = const { RefCell::new(None) };
}

fn with_kernel<R>(f: impl FnOnce(&mut Kernel) -> R) -> R {
    KERNEL.with_borrow_mut(|k| f(k.as_mut().expect("an OS system call outside Os::run")))
}

enum Step {
    Run(Tid, TaskFuture),
    WaitIo { timeout_ms: i32 },
    Stop,
}

impl Kernel {
    fn spawn(&mut self, task: TaskFuture) -> Tid {
        let tid = self.next_tid;
        self.next_tid += 1;
        self.tasks.insert(tid, task);
        self.ready.push_back(tid);
        tid
    }

    fn take_reply(&mut self) -> Reply {
        self.replies.remove(&self.current).unwrap_or(Reply::Nothing)
    }

    /// Resumes `tid` later with `reply`, if it is still alive.
    fn resume(&mut self, tid: Tid, reply: Reply) {
        if self.tasks.contains_key(&tid) {
            self.replies.insert(tid, reply);
            self.ready.push_back(tid);
        }
    }

    fn next_step(&mut self) -> Step {
        self.fire_timers();
        if self.budget == 0 && !self.ready.is_empty() && !self.io_waits.is_empty() {
            // A round of the ready queue has run: look at I/O without
            // blocking, so a busy task cannot starve sockets.
            self.budget = self.ready.len();
            return Step::WaitIo { timeout_ms: 0 };
        }
        while let Some(tid) = self.ready.pop_front() {
            // A killed task may still have its id in the queue.
            if let Some(task) = self.tasks.remove(&tid) {
                self.budget = self.budget.saturating_sub(1);
                self.current = tid;
                return Step::Run(tid, task);
            }
        }
        if self.io_waits.is_empty() && self.timers.is_empty() {
            // Nothing ready and nothing that I/O could wake: either every
            // task has ended, or the rest wait for each other forever.
            self.report.deadlocked = self.tasks.len();
            return Step::Stop;
        }
        Step::WaitIo {
            timeout_ms: self.poll_timeout(),
        }
    }

    /// After a poll: the task has ended, or trapped, or yielded. Returns
    /// futures to drop once the kernel is no longer borrowed (their
    /// destructors may close sockets, or in principle trap again).
    fn after_poll(&mut self, tid: Tid, task: TaskFuture, done: bool) -> Vec<TaskFuture> {
        self.report.switches += 1;
        let trap = self.trap.take();
        if done {
            self.wake_exit_waiters(tid);
            return vec![task];
        }
        self.tasks.insert(tid, task);
        let mut dead = Vec::new();
        match trap {
            None => self.ready.push_back(tid),
            Some(SysCall::GetTid) => self.resume(tid, Reply::Tid(tid)),
            Some(SysCall::NewTask(task)) => {
                let child = self.spawn(task);
                self.resume(tid, Reply::Tid(child));
            }
            Some(SysCall::KillTask(victim)) => {
                let found = match self.kill(victim) {
                    Some(task) => {
                        dead.push(task);
                        true
                    }
                    None => false,
                };
                self.resume(tid, Reply::Flag(found)); // no-op if it killed itself
            }
            Some(SysCall::WaitTask(other)) if other != tid && self.tasks.contains_key(&other) => {
                self.exit_waiters.entry(other).or_default().push(tid);
            }
            Some(SysCall::WaitTask(_)) => self.resume(tid, Reply::Nothing),
            Some(SysCall::ReadWait(fd)) => self.io_waits.push(IoWait {
                fd,
                write: false,
                tid,
            }),
            Some(SysCall::WriteWait(fd)) => self.io_waits.push(IoWait {
                fd,
                write: true,
                tid,
            }),
            Some(SysCall::Sleep(duration)) => self.add_timer(tid, duration),
        }
        dead
    }

    fn kill(&mut self, victim: Tid) -> Option<TaskFuture> {
        let task = self.tasks.remove(&victim)?;
        // Clean up everything that names the victim, then wake its waiters:
        // WaitTask on a killed task returns.
        self.io_waits.retain(|w| w.tid != victim);
        self.cancel_timer(victim);
        self.replies.remove(&victim);
        self.wake_exit_waiters(victim);
        Some(task)
    }

    /// Puts `tid` to sleep until `duration` from now.
    fn add_timer(&mut self, tid: Tid, duration: Duration) {
        self.timers.push(Reverse((Instant::now() + duration, tid)));
    }

    /// Moves every sleeper whose deadline has passed to the ready queue.
    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(&Reverse((due, tid))) = self.timers.peek() {
            if due > now {
                break;
            }
            self.timers.pop();
            self.resume(tid, Reply::Nothing);
        }
    }

    /// How long poll(2) may block, in milliseconds: until the earliest
    /// deadline, rounded up (rounding down would wake too early and spin),
    /// or -1 (for ever) when nobody sleeps.
    fn poll_timeout(&self) -> i32 {
        match self.timers.peek() {
            None => -1,
            Some(Reverse((due, _))) => {
                let left = due.saturating_duration_since(Instant::now());
                left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
            }
        }
    }

    /// Forgets `tid`'s timer: a killed sleeper must not keep the OS alive.
    fn cancel_timer(&mut self, tid: Tid) {
        self.timers.retain(|&Reverse((_, t))| t != tid);
    }

    fn wake_exit_waiters(&mut self, tid: Tid) {
        for waiter in self.exit_waiters.remove(&tid).unwrap_or_default() {
            self.resume(waiter, Reply::Nothing);
        }
    }

    /// One `poll(2)` over the whole wait set, like Beazley's `select` call:
    /// every task whose descriptor is ready goes back to the ready queue.
    fn poll_io(&mut self, timeout_ms: i32) {
        self.report.io_polls += 1;
        let mut fds: Vec<libc::pollfd> = (self.io_waits.iter())
            .map(|w| libc::pollfd {
                fd: w.fd,
                events: if w.write { libc::POLLOUT } else { libc::POLLIN },
                revents: 0,
            })
            .collect();
        // SAFETY: `fds` is a live, initialised array of `fds.len()` pollfd
        // structs that poll(2) only reads and writes within. A descriptor
        // closed meanwhile is not undefined behaviour: poll reports POLLNVAL.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
        if n <= 0 {
            return; // nothing ready, or EINTR: the scheduler asks again
        }
        // The two vectors are in the same order; keep the waits not ready.
        let mut i = 0;
        let mut woken = Vec::new();
        self.io_waits.retain(|w| {
            let ready = fds[i].revents != 0; // readiness, hang-up, error, POLLNVAL
            i += 1;
            if ready {
                woken.push(w.tid);
            }
            !ready
        });
        for tid in woken {
            self.resume(tid, Reply::Nothing);
        }
    }
}

/// The OS: a kernel with its tasks, run on the calling thread.
pub struct Os {
    kernel: Kernel,
}

impl Default for Os {
    fn default() -> Self {
        Self::new()
    }
}

impl Os {
    pub fn new() -> Os {
        Os {
            kernel: Kernel {
                next_tid: 1,
                tasks: HashMap::new(),
                ready: VecDeque::new(),
                budget: 0,
                current: 0,
                trap: None,
                replies: HashMap::new(),
                exit_waiters: HashMap::new(),
                io_waits: Vec::new(),
                timers: BinaryHeap::new(),
                report: Report::default(),
            },
        }
    }

    /// Adds a task before the OS starts; tasks add more with `new_task`.
    pub fn spawn(&mut self, task: impl Future<Output = ()> + 'static) -> Tid {
        self.kernel.spawn(Box::pin(task))
    }

    /// Runs tasks until none is left, or none can ever run again.
    pub fn run(self) -> Report {
        let nested = KERNEL.with_borrow_mut(|k| k.replace(self.kernel).is_some());
        assert!(!nested, "one OS per thread: Os::run called inside Os::run");
        // The OS never uses wakers: it resumes a task because of the trap
        // the task made, so every poll gets a waker that does nothing.
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            match with_kernel(Kernel::next_step) {
                Step::Run(tid, mut task) => {
                    // The kernel is not borrowed here: the task's traps use it.
                    let done = task.as_mut().poll(&mut cx).is_ready();
                    let dead = with_kernel(|k| k.after_poll(tid, task, done));
                    drop(dead);
                }
                Step::WaitIo { timeout_ms } => with_kernel(|k| k.poll_io(timeout_ms)),
                Step::Stop => break,
            }
        }
        let kernel = KERNEL
            .with_borrow_mut(Option::take)
            .expect("the kernel is installed");
        let leftover: Vec<TaskFuture> = kernel.tasks.into_values().collect();
        drop(leftover); // deadlocked tasks' destructors run outside the kernel
        kernel.report
    }
}

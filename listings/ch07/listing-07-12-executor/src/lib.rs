//! A single-threaded executor in about two hundred lines: a run queue of task
//! indices, a waker per task that puts the task's index back on the queue,
//! `spawn` returning a `JoinHandle` that is itself a future, and `block_on`
//! that drives one future and every spawned task, parking the thread when
//! nothing is ready.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

// ANCHOR: types
/// A single-threaded executor. Cloning it is cheap and gives another handle
/// to the same run queue, so a task can spawn more tasks.
#[derive(Clone)]
pub struct Executor {
    inner: Rc<Inner>,
}

struct Inner {
    /// Slot `i` holds task `i`'s future while it is not being polled.
    tasks: RefCell<Vec<Option<Task>>>,
    /// Indices of slots that finished and can be reused.
    free: RefCell<Vec<usize>>,
    /// Shared with every waker: wakers may be called from any thread.
    ready: Arc<ReadyQueue>,
}

struct Task {
    future: Pin<Box<dyn Future<Output = ()>>>,
    waker: Arc<TaskWaker>,
}

struct ReadyQueue {
    queue: Mutex<VecDeque<usize>>,
    /// The thread that runs the executor, to unpark it.
    thread: Thread,
}

/// One per task, allocated once at spawn: waking clones nothing.
struct TaskWaker {
    index: usize,
    /// True while the index sits in the queue: a second wake adds nothing.
    queued: AtomicBool,
    ready: Arc<ReadyQueue>,
}
// ANCHOR_END: types

// ANCHOR: wake
impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    // ANCHOR: wake_slide
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.ready.queue.lock().unwrap().push_back(self.index);
            // Cheap when the executor is not parked: one atomic swap.
            self.ready.thread.unpark();
        }
    }
    // ANCHOR_END: wake_slide
}
// ANCHOR_END: wake

/// Wakes `block_on`'s own future: sets a flag and unparks the thread.
struct MainWaker {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

// ANCHOR: join_handle
/// The output of a spawned task, once it has one, and who waits for it.
struct JoinState<T> {
    output: Option<T>,
    waiter: Option<Waker>,
}

/// Resolves to the spawned task's output. Dropping it detaches the task,
/// which still runs to completion.
pub struct JoinHandle<T> {
    state: Rc<RefCell<JoinState<T>>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.state.borrow_mut();
        match state.output.take() {
            Some(output) => Poll::Ready(output),
            None => {
                // Keep the newest waker: the handle may have moved task.
                state.waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: join_handle

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

impl Executor {
    /// An executor bound to the calling thread (the one `block_on` parks).
    pub fn new() -> Self {
        let ready = Arc::new(ReadyQueue {
            queue: Mutex::new(VecDeque::new()),
            thread: thread::current(),
        });
        Executor {
            inner: Rc::new(Inner {
                tasks: RefCell::new(Vec::new()),
                free: RefCell::new(Vec::new()),
                ready,
            }),
        }
    }

    // ANCHOR: spawn
    /// Starts `f` as a task; it first runs when `block_on` next runs tasks.
    pub fn spawn<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        let state = Rc::new(RefCell::new(JoinState {
            output: None,
            waiter: None,
        }));
        let shared = state.clone();
        // The task stores its output and wakes whoever awaits the handle.
        let future = Box::pin(async move {
            let output = f.await;
            let waiter = {
                let mut s = shared.borrow_mut();
                s.output = Some(output);
                s.waiter.take()
            };
            if let Some(w) = waiter {
                w.wake();
            }
        });
        let index = self.inner.free.borrow_mut().pop();
        let mut tasks = self.inner.tasks.borrow_mut();
        let index = index.unwrap_or_else(|| {
            tasks.push(None);
            tasks.len() - 1
        });
        let waker = Arc::new(TaskWaker {
            index,
            queued: AtomicBool::new(false),
            ready: self.inner.ready.clone(),
        });
        waker.wake_by_ref(); // a new task is ready to run
        tasks[index] = Some(Task { future, waker });
        JoinHandle { state }
    }
    // ANCHOR_END: spawn

    // ANCHOR: run_task
    /// Polls task `index` once, if it still exists.
    fn run_task(&self, index: usize) {
        // Take the task out, so the future may spawn (borrow `tasks`) as it runs.
        let Some(mut task) = self.inner.tasks.borrow_mut()[index].take() else {
            return; // finished already; a stale wake
        };
        // Clear before polling: a wake during the poll must re-queue it.
        task.waker.queued.store(false, Ordering::Release);
        let waker = Waker::from(task.waker.clone());
        let mut cx = Context::from_waker(&waker);
        match task.future.as_mut().poll(&mut cx) {
            Poll::Pending => self.inner.tasks.borrow_mut()[index] = Some(task),
            Poll::Ready(()) => self.inner.free.borrow_mut().push(index),
        }
    }
    // ANCHOR_END: run_task

    // ANCHOR: block_on
    /// Runs `f` to completion on this thread, running spawned tasks as well.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        let mut main = pin!(f);
        let main_waker = Arc::new(MainWaker {
            woken: AtomicBool::new(true), // poll it once to start
            thread: thread::current(),
        });
        let waker = Waker::from(main_waker.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            if main_waker.woken.swap(false, Ordering::AcqRel)
                && let Poll::Ready(output) = main.as_mut().poll(&mut cx)
            {
                return output;
            }
            // Run the tasks ready now; those they wake wait for the next round,
            // so the main future gets its turn.
            let batch = self.inner.ready.queue.lock().unwrap().len();
            for _ in 0..batch {
                let next = self.inner.ready.queue.lock().unwrap().pop_front();
                let Some(index) = next else { break };
                self.run_task(index);
            }
            let idle = self.inner.ready.queue.lock().unwrap().is_empty();
            if idle && !main_waker.woken.load(Ordering::Acquire) {
                // Nothing to do until a waker runs; `unpark` ends the wait, and
                // an `unpark` that came first makes `park` return at once.
                thread::park();
            }
        }
    }
    // ANCHOR_END: block_on

    /// Number of tasks spawned and not yet finished.
    pub fn live_tasks(&self) -> usize {
        let tasks = self.inner.tasks.borrow();
        tasks.len() - self.inner.free.borrow().len()
    }
}

/// A future that returns `Pending` once, waking itself first: the task goes
/// to the back of the run queue and the others run.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

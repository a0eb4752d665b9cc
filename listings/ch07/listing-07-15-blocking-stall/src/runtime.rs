//! A copy of Listing 7-13's runtime, so that this folder builds alone.

use mio::{Events, Interest, Poll as MioPoll, Registry, Token};
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::future::{Future, poll_fn};
use std::io::{self, ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// The token of the cross-thread waker; sockets use the others.
const NOTIFY: Token = Token(usize::MAX);

// ---------------------------------------------------------------- executor

/// A single-threaded runtime. Cloning it gives another handle to it.
#[derive(Clone)]
pub struct Runtime {
    inner: Rc<Inner>,
}

struct Inner {
    tasks: RefCell<Vec<Option<Task>>>,
    free: RefCell<Vec<usize>>,
    ready: Arc<ReadyQueue>,
    reactor: Reactor,
}

struct Task {
    future: Pin<Box<dyn Future<Output = ()>>>,
    waker: Arc<TaskWaker>,
}

// ANCHOR: notify
/// Listing 7-12's queue; only the way a waker rouses the thread differs.
struct ReadyQueue {
    queue: Mutex<VecDeque<usize>>,
    /// True while the executor sleeps in the reactor's `poll`.
    sleeping: AtomicBool,
    /// Makes that `poll` return: an eventfd write, so only when sleeping.
    notify: mio::Waker,
}

impl ReadyQueue {
    fn rouse(&self) {
        if self.sleeping.swap(false, Ordering::AcqRel) {
            let _ = self.notify.wake();
        }
    }
}
// ANCHOR_END: notify

struct TaskWaker {
    index: usize,
    queued: AtomicBool,
    ready: Arc<ReadyQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.ready.queue.lock().unwrap().push_back(self.index);
            self.ready.rouse();
        }
    }
}

struct MainWaker {
    woken: AtomicBool,
    ready: Arc<ReadyQueue>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.ready.rouse();
    }
}

struct JoinState<T> {
    output: Option<T>,
    waiter: Option<Waker>,
}

/// Resolves to a spawned task's output; dropping it detaches the task.
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
                state.waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Runtime {
    pub fn new() -> io::Result<Runtime> {
        let poll = MioPoll::new()?;
        let notify = mio::Waker::new(poll.registry(), NOTIFY)?;
        Ok(Runtime {
            inner: Rc::new(Inner {
                tasks: RefCell::new(Vec::new()),
                free: RefCell::new(Vec::new()),
                ready: Arc::new(ReadyQueue {
                    queue: Mutex::new(VecDeque::new()),
                    sleeping: AtomicBool::new(false),
                    notify,
                }),
                reactor: Reactor::new(poll),
            }),
        })
    }

    /// Starts `f` as a task.
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
        waker.wake_by_ref();
        tasks[index] = Some(Task { future, waker });
        JoinHandle { state }
    }

    fn run_task(&self, index: usize) {
        let Some(mut task) = self.inner.tasks.borrow_mut()[index].take() else {
            return;
        };
        task.waker.queued.store(false, Ordering::Release);
        let waker = Waker::from(task.waker.clone());
        let mut cx = Context::from_waker(&waker);
        match task.future.as_mut().poll(&mut cx) {
            Poll::Pending => self.inner.tasks.borrow_mut()[index] = Some(task),
            Poll::Ready(()) => self.inner.free.borrow_mut().push(index),
        }
    }

    // ANCHOR: block_on
    /// Runs `f` to completion, running spawned tasks and the reactor too.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        let mut main = pin!(f);
        let ready = &self.inner.ready;
        let main_waker = Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            ready: ready.clone(),
        });
        let waker = Waker::from(main_waker.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            if main_waker.woken.swap(false, Ordering::AcqRel)
                && let Poll::Ready(output) = main.as_mut().poll(&mut cx)
            {
                return output;
            }
            let batch = ready.queue.lock().unwrap().len();
            for _ in 0..batch {
                let next = ready.queue.lock().unwrap().pop_front();
                let Some(index) = next else { break };
                self.run_task(index);
            }
            // Announce the sleep first, then look: a waker that runs after
            // the look sees `sleeping` and writes to the eventfd.
            ready.sleeping.store(true, Ordering::SeqCst);
            let idle =
                ready.queue.lock().unwrap().is_empty() && !main_waker.woken.load(Ordering::SeqCst);
            // Where Listing 7-12 parked, wait for I/O or the next deadline.
            let wait = if idle { None } else { Some(Duration::ZERO) };
            self.inner.reactor.turn(wait);
            ready.sleeping.store(false, Ordering::SeqCst);
        }
    }
    // ANCHOR_END: block_on

    /// A future that completes once `duration` has passed.
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep {
            rt: self.clone(),
            deadline: Instant::now() + duration,
            timer: None,
        }
    }

    /// Runs `f` but gives up once `limit` has passed.
    pub async fn timeout<F: Future>(&self, limit: Duration, f: F) -> Result<F::Output, Elapsed> {
        let mut f = pin!(f);
        let mut sleep = pin!(self.sleep(limit));
        poll_fn(|cx| {
            if let Poll::Ready(out) = f.as_mut().poll(cx) {
                return Poll::Ready(Ok(out));
            }
            sleep.as_mut().poll(cx).map(|()| Err(Elapsed))
        })
        .await
    }

    /// Binds a listener (non-blocking, registered with the reactor).
    pub fn bind(&self, addr: SocketAddr) -> io::Result<TcpListener> {
        let mut listener = mio::net::TcpListener::bind(addr)?;
        let token = self.inner.reactor.register(&mut listener)?;
        Ok(TcpListener {
            rt: self.clone(),
            listener,
            token,
        })
    }

    /// Connects to `addr`, waiting for the handshake without blocking.
    pub async fn connect(&self, addr: SocketAddr) -> io::Result<TcpStream> {
        let mut stream = mio::net::TcpStream::connect(addr)?;
        let token = self.inner.reactor.register(&mut stream)?;
        let stream = TcpStream {
            rt: self.clone(),
            stream,
            token,
        };
        // Writable means the handshake ended; `take_error` says how.
        poll_fn(|cx| match stream.stream.peer_addr() {
            Ok(_) => Poll::Ready(Ok(())),
            Err(e) if e.kind() == ErrorKind::NotConnected => {
                if let Ok(Some(e)) | Err(e) = stream.stream.take_error() {
                    return Poll::Ready(Err(e));
                }
                self.inner.reactor.wait(token, Direction::Write, cx);
                Poll::Pending
            }
            Err(e) => Poll::Ready(Err(e)),
        })
        .await?;
        Ok(stream)
    }

    /// Tasks spawned and not yet finished.
    pub fn live_tasks(&self) -> usize {
        self.inner.tasks.borrow().len() - self.inner.free.borrow().len()
    }
}

/// Returns `Pending` once, after waking its own task: the task goes to the
/// back of the run queue and the others run.
pub async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
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

// ---------------------------------------------------------------- reactor

#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

// ANCHOR: reactor
/// Turns readiness events and expired deadlines into `wake` calls.
struct Reactor {
    poll: RefCell<MioPoll>,
    events: RefCell<Events>,
    /// Per socket token: who waits to read, who waits to write.
    io: RefCell<Vec<[Option<Waker>; 2]>>,
    free_tokens: RefCell<Vec<usize>>,
    /// Deadlines, nearest first; a timer id without a waker was dropped.
    deadlines: RefCell<BinaryHeap<Reverse<(Instant, u64)>>>,
    timers: RefCell<HashMap<u64, Waker>>,
    next_timer: Cell<u64>,
}

impl Reactor {
    /// Waits for events (no longer than `limit`, or the nearest deadline)
    /// and wakes every task they concern.
    fn turn(&self, limit: Option<Duration>) {
        let now = Instant::now();
        let until_deadline = self
            .nearest_deadline()
            .map(|d| d.saturating_duration_since(now));
        let timeout = match (limit, until_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b), // `None`: sleep until an event comes
        };
        let mut wake = Vec::new();
        {
            let mut events = self.events.borrow_mut();
            if let Err(e) = self.poll.borrow_mut().poll(&mut events, timeout) {
                assert!(e.kind() == ErrorKind::Interrupted, "epoll_wait: {e}");
            }
            let mut io = self.io.borrow_mut();
            for event in events.iter() {
                let Some(waiters) = io.get_mut(event.token().0) else {
                    continue; // the notify token: it only ends the wait
                };
                // Errors and hang-ups wake both sides: their next syscall
                // reports what happened.
                let closed = event.is_error() || event.is_read_closed() || event.is_write_closed();
                if event.is_readable() || closed {
                    wake.extend(waiters[0].take());
                }
                if event.is_writable() || closed {
                    wake.extend(waiters[1].take());
                }
            }
        }
        let now = Instant::now();
        let mut deadlines = self.deadlines.borrow_mut();
        while let Some(&Reverse((at, id))) = deadlines.peek() {
            if at > now {
                break;
            }
            deadlines.pop();
            wake.extend(self.timers.borrow_mut().remove(&id));
        }
        drop(deadlines);
        // Wake with no borrow held: a waker may re-enter the runtime.
        for w in wake {
            w.wake();
        }
    }

    fn nearest_deadline(&self) -> Option<Instant> {
        let mut deadlines = self.deadlines.borrow_mut();
        let timers = self.timers.borrow();
        while let Some(&Reverse((at, id))) = deadlines.peek() {
            if timers.contains_key(&id) {
                return Some(at);
            }
            deadlines.pop(); // a cancelled timer: forget it now
        }
        None
    }
    // ANCHOR_END: reactor

    fn new(poll: MioPoll) -> Reactor {
        Reactor {
            poll: RefCell::new(poll),
            events: RefCell::new(Events::with_capacity(1024)),
            io: RefCell::new(Vec::new()),
            free_tokens: RefCell::new(Vec::new()),
            deadlines: RefCell::new(BinaryHeap::new()),
            timers: RefCell::new(HashMap::new()),
            next_timer: Cell::new(0),
        }
    }

    fn registry<T>(&self, f: impl FnOnce(&Registry) -> T) -> T {
        f(self.poll.borrow().registry())
    }

    fn register(&self, source: &mut impl mio::event::Source) -> io::Result<Token> {
        let slot = self.free_tokens.borrow_mut().pop();
        let slot = slot.unwrap_or_else(|| {
            let mut io = self.io.borrow_mut();
            io.push([None, None]);
            io.len() - 1
        });
        let token = Token(slot);
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self.registry(|r| r.register(source, token, interest)) {
            self.free_tokens.borrow_mut().push(slot);
            return Err(e);
        }
        Ok(token)
    }

    fn deregister(&self, source: &mut impl mio::event::Source, token: Token) {
        let _ = self.registry(|r| r.deregister(source));
        self.io.borrow_mut()[token.0] = [None, None];
        self.free_tokens.borrow_mut().push(token.0);
    }

    // ANCHOR: wait
    /// Called by a socket future that got `WouldBlock`: the next readiness
    /// event for `token` in that direction wakes this task.
    fn wait(&self, token: Token, direction: Direction, cx: &Context<'_>) {
        let slot = &mut self.io.borrow_mut()[token.0][direction as usize];
        match slot {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
    }
    // ANCHOR_END: wait
}

// ---------------------------------------------------------------- timers

/// The error of [`Runtime::timeout`].
#[derive(Debug, PartialEq, Eq)]
pub struct Elapsed;

// ANCHOR: sleep
/// Completes at `deadline`. Registered with the reactor on its first poll.
pub struct Sleep {
    rt: Runtime,
    deadline: Instant,
    timer: Option<u64>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        let reactor = &self.rt.inner.reactor;
        let id = match self.timer {
            Some(id) => id,
            None => {
                let id = reactor.next_timer.replace(reactor.next_timer.get() + 1);
                reactor
                    .deadlines
                    .borrow_mut()
                    .push(Reverse((self.deadline, id)));
                id
            }
        };
        reactor.timers.borrow_mut().insert(id, cx.waker().clone());
        self.timer = Some(id);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        // Cancelled (or done): the heap entry stays, but wakes nobody.
        if let Some(id) = self.timer {
            self.rt.inner.reactor.timers.borrow_mut().remove(&id);
        }
    }
}
// ANCHOR_END: sleep

// ---------------------------------------------------------------- sockets

/// A listening socket whose `accept` is a future.
pub struct TcpListener {
    rt: Runtime,
    listener: mio::net::TcpListener,
    token: Token,
}

impl TcpListener {
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (mut stream, peer) = poll_fn(|cx| match self.listener.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.rt.inner.reactor.wait(self.token, Direction::Read, cx);
                Poll::Pending
            }
            other => Poll::Ready(other),
        })
        .await?;
        let token = self.rt.inner.reactor.register(&mut stream)?;
        let rt = self.rt.clone();
        Ok((TcpStream { rt, stream, token }, peer))
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        self.rt
            .inner
            .reactor
            .deregister(&mut self.listener, self.token);
    }
}

/// A connected socket whose reads and writes are futures.
pub struct TcpStream {
    rt: Runtime,
    stream: mio::net::TcpStream,
    token: Token,
}

impl TcpStream {
    // ANCHOR: read
    /// Reads what has arrived (0 at end of stream); waits if nothing has.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            loop {
                match self.stream.read(buf) {
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        // Edge-triggered: the next event comes when more bytes
                        // arrive, which is after this `WouldBlock`.
                        self.rt.inner.reactor.wait(self.token, Direction::Read, cx);
                        return Poll::Pending;
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    other => return Poll::Ready(other),
                }
            }
        })
        .await
    }
    // ANCHOR_END: read

    /// Writes part of `buf`; waits while the send buffer is full.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            loop {
                match self.stream.write(buf) {
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        self.rt.inner.reactor.wait(self.token, Direction::Write, cx);
                        return Poll::Pending;
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    other => return Poll::Ready(other),
                }
            }
        })
        .await
    }

    /// Writes all of `buf`, waiting as often as the peer makes it.
    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// Disables Nagle's algorithm (Section 3.3) for request/response use.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.stream.set_nodelay(on)
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        self.rt
            .inner
            .reactor
            .deregister(&mut self.stream, self.token);
    }
}

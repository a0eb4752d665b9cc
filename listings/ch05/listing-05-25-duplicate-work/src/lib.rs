//! A reliable work broker over ZeroMQ (the "paranoid pirate" pattern of the
//! ZeroMQ guide): clients talk to a ROUTER front-end, workers to a ROUTER
//! back-end. Workers say READY, then exchange heartbeats with the broker; a
//! worker that stays silent for `liveness` heartbeat intervals is declared
//! dead and the task it held goes back to the head of the queue.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The largest frame either side accepts. libzmq compares the size in each
/// frame's header with it and drops the connection before allocating.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Tasks waiting for a worker; beyond this a client is told "busy".
pub const MAX_PENDING: usize = 10_000;
/// The most frames a message may have; further frames are drained unread.
const MAX_FRAMES: usize = 4;

pub const READY: &[u8] = b"READY";
pub const HEARTBEAT: &[u8] = b"HEARTBEAT";
pub const TASK: &[u8] = b"TASK";
pub const REPLY: &[u8] = b"REPLY";

/// How often both sides send heartbeats, and how many may go missing
/// before the other side is declared dead.
#[derive(Clone, Copy, Debug)]
pub struct Heartbeat {
    pub interval: Duration,
    pub liveness: u32,
}

impl Heartbeat {
    pub fn expiry(&self) -> Duration {
        self.interval * self.liveness
    }
}

/// What the broker counted while it ran.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub answered: u64,
    pub requeued: u64,
    pub workers_lost: u64,
    pub malformed: u64,
    pub late_replies: u64,
    pub busy: u64,
}

struct Task {
    id: u64,
    body: Vec<u8>,
}

struct Worker {
    expires: Instant,
    task: Option<Task>,
}

/// Receives one multipart message, keeping at most `MAX_FRAMES` frames
/// (each capped by `MAX_MESSAGE`) and reporting how many there were.
fn recv_frames(socket: &zmq::Socket) -> zmq::Result<(Vec<Vec<u8>>, usize)> {
    let mut frames = vec![socket.recv_bytes(0)?];
    let mut count = 1;
    while socket.get_rcvmore()? {
        let frame = socket.recv_bytes(0)?;
        count += 1;
        if frames.len() < MAX_FRAMES {
            frames.push(frame);
        }
    }
    Ok((frames, count))
}

fn router(ctx: &zmq::Context, endpoint: &str) -> zmq::Result<(zmq::Socket, String)> {
    let socket = ctx.socket(zmq::ROUTER)?;
    socket.set_maxmsgsize(MAX_MESSAGE as i64)?;
    socket.set_linger(0)?;
    socket.bind(endpoint)?;
    let bound = socket
        .get_last_endpoint()?
        .map_err(|_| zmq::Error::EINVAL)?;
    Ok((socket, bound))
}

pub struct Broker {
    frontend: zmq::Socket,
    backend: zmq::Socket,
    pub frontend_endpoint: String,
    pub backend_endpoint: String,
    heartbeat: Heartbeat,
}

/// The broker's bookkeeping, apart from its sockets.
#[derive(Default)]
struct State {
    workers: HashMap<Vec<u8>, Worker>,
    idle: VecDeque<Vec<u8>>,
    pending: VecDeque<Task>,
    /// Task id -> client, for every task not yet answered.
    outstanding: HashMap<u64, Vec<u8>>,
    next_id: u64,
    stats: Stats,
}

impl Broker {
    /// Binds both ROUTER sockets (`tcp://127.0.0.1:*` picks a free port).
    pub fn bind(
        ctx: &zmq::Context,
        frontend: &str,
        backend: &str,
        heartbeat: Heartbeat,
    ) -> zmq::Result<Broker> {
        let (frontend, frontend_endpoint) = router(ctx, frontend)?;
        let (backend, backend_endpoint) = router(ctx, backend)?;
        Ok(Broker {
            frontend,
            backend,
            frontend_endpoint,
            backend_endpoint,
            heartbeat,
        })
    }

    // ANCHOR: run
    /// Routes requests to idle workers until `stop` is set.
    pub fn run(&self, stop: &AtomicBool) -> zmq::Result<Stats> {
        let mut st = State::default();
        let mut next_beat = Instant::now() + self.heartbeat.interval;
        while !stop.load(Ordering::Relaxed) {
            let wait = next_beat.saturating_duration_since(Instant::now());
            let mut items = [
                self.backend.as_poll_item(zmq::POLLIN),
                self.frontend.as_poll_item(zmq::POLLIN),
            ];
            zmq::poll(&mut items, wait.as_millis().min(50) as i64)?;
            if items[0].is_readable() {
                // Everything that has arrived, before anyone is judged dead:
                // a broker that was paused itself must first read the
                // heartbeats that queued up meanwhile. Bounded, so busy
                // workers cannot starve the clients.
                for _ in 0..1_000 {
                    let (frames, count) = recv_frames(&self.backend)?;
                    self.on_worker(&mut st, frames, count);
                    if !self.backend.get_events()?.contains(zmq::POLLIN) {
                        break;
                    }
                }
            }
            if items[1].is_readable() {
                let (frames, count) = recv_frames(&self.frontend)?;
                self.on_client(&mut st, frames, count)?;
            }
            self.dispatch(&mut st)?;
            let now = Instant::now();
            if now >= next_beat {
                for id in st.workers.keys() {
                    self.backend.send_multipart([id.as_slice(), HEARTBEAT], 0)?;
                }
                next_beat = now + self.heartbeat.interval;
            }
            // A silent worker is dead: its task goes to the head of the queue.
            let dead: Vec<Vec<u8>> = (st.workers.iter())
                .filter(|(_, w)| w.expires < now)
                .map(|(id, _)| id.clone())
                .collect();
            for id in dead {
                let worker = st.workers.remove(&id).expect("listed above");
                st.idle.retain(|w| *w != id);
                st.stats.workers_lost += 1;
                if let Some(task) = worker.task {
                    st.stats.requeued += 1;
                    st.pending.push_front(task);
                }
            }
        }
        Ok(st.stats)
    }
    // ANCHOR_END: run

    // ANCHOR: on_worker
    fn on_worker(&self, st: &mut State, frames: Vec<Vec<u8>>, count: usize) {
        let [id, kind, rest @ ..] = frames.as_slice() else {
            st.stats.malformed += 1;
            return;
        };
        let expires = Instant::now() + self.heartbeat.expiry();
        match (kind.as_slice(), rest, count) {
            (READY, [], 2) => {
                if !st.workers.contains_key(id) {
                    st.workers.insert(
                        id.clone(),
                        Worker {
                            expires,
                            task: None,
                        },
                    );
                    st.idle.push_back(id.clone());
                }
            }
            (HEARTBEAT, [], 2) => {
                if let Some(w) = st.workers.get_mut(id) {
                    w.expires = expires;
                }
            }
            (REPLY, [task_id, body], 4) if task_id.len() == 8 => {
                let task_id = u64::from_be_bytes(task_id[..].try_into().expect("8 bytes"));
                // First reply wins; a re-queued task may be answered twice.
                match st.outstanding.remove(&task_id) {
                    Some(client) => {
                        let reply = [client.as_slice(), b"", body];
                        // A client that has gone is not an error of ours.
                        let _ = self.frontend.send_multipart(reply, zmq::DONTWAIT);
                        st.stats.answered += 1;
                    }
                    None => st.stats.late_replies += 1,
                }
                // The worker is alive and free again, even if it had been
                // given up on while it worked.
                let w = st.workers.entry(id.clone()).or_insert(Worker {
                    expires,
                    task: None,
                });
                w.expires = expires;
                w.task = None;
                if !st.idle.contains(id) {
                    st.idle.push_back(id.clone());
                }
            }
            _ => st.stats.malformed += 1,
        }
    }
    // ANCHOR_END: on_worker

    fn on_client(&self, st: &mut State, frames: Vec<Vec<u8>>, count: usize) -> zmq::Result<()> {
        // A REQ client's message arrives as [identity, empty delimiter, body].
        let [client, empty, body] = frames.as_slice() else {
            st.stats.malformed += 1;
            return Ok(());
        };
        if count != 3 || !empty.is_empty() {
            st.stats.malformed += 1;
            return Ok(());
        }
        if st.pending.len() >= MAX_PENDING {
            st.stats.busy += 1;
            let reply = [client.as_slice(), b"", b"error: busy"];
            return self.frontend.send_multipart(reply, zmq::DONTWAIT);
        }
        st.next_id += 1;
        st.outstanding.insert(st.next_id, client.clone());
        st.pending.push_back(Task {
            id: st.next_id,
            body: body.clone(),
        });
        Ok(())
    }

    fn dispatch(&self, st: &mut State) -> zmq::Result<()> {
        while !st.idle.is_empty() {
            let Some(task) = st.pending.pop_front() else {
                break;
            };
            // Answered meanwhile by a worker given up on too early.
            if !st.outstanding.contains_key(&task.id) {
                continue;
            }
            let id = st.idle.pop_front().expect("not empty");
            let frames = [id.as_slice(), TASK, &task.id.to_be_bytes(), &task.body];
            self.backend.send_multipart(frames, zmq::DONTWAIT)?;
            if let Some(w) = st.workers.get_mut(&id) {
                w.task = Some(task);
            }
        }
        Ok(())
    }
}

/// What a worker's handler decides: an answer, or to die on the spot
/// (used to show what the broker does about a worker that crashes).
pub enum Outcome {
    Answer(Vec<u8>),
    Crash,
}

fn dealer(ctx: &zmq::Context, endpoint: &str) -> zmq::Result<zmq::Socket> {
    let socket = ctx.socket(zmq::DEALER)?;
    socket.set_maxmsgsize(MAX_MESSAGE as i64)?;
    socket.set_linger(0)?;
    socket.connect(endpoint)?;
    socket.send(READY, 0)?;
    Ok(socket)
}

// ANCHOR: worker
/// Serves tasks until `stop` is set or the handler crashes; returns how many
/// tasks it answered. The handler runs on a helper thread so the worker keeps
/// sending heartbeats during long tasks: silence means dead, not busy.
pub fn run_worker<H>(
    ctx: &zmq::Context,
    endpoint: &str,
    hb: Heartbeat,
    stop: &AtomicBool,
    handler: H,
) -> zmq::Result<u64>
where
    H: Fn(&[u8]) -> Outcome + Send,
{
    let (task_tx, task_rx) = mpsc::channel::<(Vec<u8>, Vec<u8>)>();
    let (done_tx, done_rx) = mpsc::channel::<(Vec<u8>, Outcome)>();
    thread::scope(|s| {
        s.spawn(move || {
            for (id, body) in task_rx {
                if done_tx.send((id, handler(&body))).is_err() {
                    break;
                }
            }
        });
        let mut socket = dealer(ctx, endpoint)?;
        let (mut answered, mut busy) = (0, false);
        let mut broker_expires = Instant::now() + hb.expiry();
        let mut next_beat = Instant::now() + hb.interval;
        while !stop.load(Ordering::Relaxed) {
            let tick = if busy { 5 } else { 50 }; // look for results often
            let wait = next_beat.saturating_duration_since(Instant::now());
            if socket.poll(zmq::POLLIN, wait.as_millis().min(tick) as i64)? > 0 {
                let (frames, _) = recv_frames(&socket)?;
                broker_expires = Instant::now() + hb.expiry();
                if let [kind, id, body] = frames.as_slice()
                    && kind.as_slice() == TASK
                    && !busy
                {
                    busy = true;
                    let _ = task_tx.send((id.clone(), body.clone()));
                }
            }
            match done_rx.try_recv() {
                Ok((id, Outcome::Answer(reply))) => {
                    socket.send_multipart([REPLY, &id, &reply], 0)?;
                    (answered, busy) = (answered + 1, false);
                }
                Ok((_, Outcome::Crash)) => break, // vanish without a word
                Err(_) => {}
            }
            if Instant::now() >= next_beat {
                socket.send(HEARTBEAT, 0)?;
                next_beat = Instant::now() + hb.interval;
            }
            if Instant::now() > broker_expires && !busy {
                // The broker went silent: start again on a fresh connection.
                socket = dealer(ctx, endpoint)?;
                broker_expires = Instant::now() + hb.expiry();
            }
        }
        drop(task_tx); // ends the helper thread
        Ok(answered)
    })
}
// ANCHOR_END: worker

/// Why a client got no answer.
#[derive(Debug)]
pub enum ClientError {
    /// No reply within the timeout on any of the attempts.
    GaveUp {
        attempts: u32,
    },
    Zmq(zmq::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::GaveUp { attempts } => write!(f, "no reply after {attempts} attempts"),
            ClientError::Zmq(e) => write!(f, "zmq: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<zmq::Error> for ClientError {
    fn from(e: zmq::Error) -> Self {
        ClientError::Zmq(e)
    }
}

// ANCHOR: client
/// The "lazy pirate" client: a REQ socket, a timeout per attempt, and a
/// fresh socket after each timeout (a REQ socket may not send twice).
pub fn request(
    ctx: &zmq::Context,
    endpoint: &str,
    body: &[u8],
    timeout: Duration,
    attempts: u32,
) -> Result<Vec<u8>, ClientError> {
    for _ in 0..attempts {
        let socket = ctx.socket(zmq::REQ)?;
        socket.set_maxmsgsize(MAX_MESSAGE as i64)?;
        socket.set_linger(0)?;
        socket.set_rcvtimeo(timeout.as_millis().min(i32::MAX as u128) as i32)?;
        socket.connect(endpoint)?;
        socket.send(body, 0)?;
        match socket.recv_bytes(0) {
            Ok(reply) => return Ok(reply),
            Err(zmq::Error::EAGAIN) => continue, // dropped with the socket
            Err(e) => return Err(e.into()),
        }
    }
    Err(ClientError::GaveUp { attempts })
}
// ANCHOR_END: client

/// The demo's service: `square N`, and `sleep MS` (capped at 10 s).
pub fn serve_task(name: &str, body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let answer = match text.split_once(' ') {
        Some(("square", n)) => match n.parse::<i64>() {
            Ok(n) => n
                .checked_mul(n)
                .map_or("error: overflow".into(), |v| v.to_string()),
            Err(_) => "error: not a number".to_string(),
        },
        Some(("sleep", ms)) => match ms.parse::<u64>() {
            Ok(ms) => {
                thread::sleep(Duration::from_millis(ms.min(10_000)));
                "slept".to_string()
            }
            Err(_) => "error: not a number".to_string(),
        },
        _ => "error: unknown task".to_string(),
    };
    format!("{answer} by {name}").into_bytes()
}

//! Section 3.8's ladder: the same messages between two processes over every
//! mechanism of the chapter, as round trips (ping-pong) and as one-way
//! throughput, beside one core's memcpy, the limit for any copy.
//!
//! The child process is this binary run again with `CHILD` set to a spec
//! (`mechanism mode size address`); it echoes every message (mode `echo`) or
//! drains them and reports the byte count at the end (mode `drain`).

use super::{spin_until, spsc_ring};

use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, human_bytes, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, bail, ensure};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "BOOK_CH03_IPC_LADDER_CHILD";
/// Message sizes: a small record, a typical request, a pipe's whole buffer, a bulk transfer.
pub const SIZES: [usize; 4] = [64, 1 << 10, 64 << 10, 1 << 20];
/// Data bytes of each shared-memory ring (one per direction).
const RING_CAPACITY: usize = 4 << 20;
/// How long any wait for the other process may take before the run fails.
const PATIENCE: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mech {
    Pipe,
    Fifo,
    Unix,
    Tcp,
    Ring,
    ZmqIpc,
    ZmqTcp,
}

pub const MECHS: [Mech; 7] = [
    Mech::Pipe,
    Mech::Fifo,
    Mech::Unix,
    Mech::Tcp,
    Mech::Ring,
    Mech::ZmqIpc,
    Mech::ZmqTcp,
];

impl Mech {
    fn key(self) -> &'static str {
        match self {
            Mech::Pipe => "pipe",
            Mech::Fifo => "fifo",
            Mech::Unix => "uds",
            Mech::Tcp => "tcp",
            Mech::Ring => "ring",
            Mech::ZmqIpc => "zmq_ipc",
            Mech::ZmqTcp => "zmq_tcp",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Mech::Pipe => "anonymous pipes",
            Mech::Fifo => "FIFOs",
            Mech::Unix => "Unix domain socket",
            Mech::Tcp => "TCP loopback",
            Mech::Ring => "shared-memory ring",
            Mech::ZmqIpc => "ZeroMQ ipc://",
            Mech::ZmqTcp => "ZeroMQ tcp://",
        }
    }

    fn from_key(key: &str) -> Result<Mech> {
        MECHS
            .into_iter()
            .find(|m| m.key() == key)
            .with_context(|| format!("unknown mechanism {key:?}"))
    }

    /// ipc-bench's ping-pong rate at 100 B and 1 KB (i5-4590S, Ubuntu 20.04),
    /// for the mechanism it measured that matches this one.
    fn ipc_bench(self) -> Option<(&'static str, f64, f64)> {
        match self {
            Mech::Pipe => Some(("pipes", 162_441.0, 155_404.0)),
            Mech::Fifo => Some(("FIFOs", 265_823.0, 254_880.0)),
            Mech::Unix => Some(("domain sockets", 130_372.0, 127_582.0)),
            Mech::Tcp => Some(("TCP", 70_221.0, 67_901.0)),
            Mech::Ring => Some(("shared memory", 4_702_557.0, 1_659_291.0)),
            Mech::ZmqIpc => Some(("zeromq", 24_901.0, 22_679.0)),
            Mech::ZmqTcp => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Links: one message of a known size each way, whatever carries it.

/// One end of a two-way connection carrying fixed-size messages.
pub trait Link {
    fn send(&mut self, msg: &[u8]) -> Result<()>;
    /// Replaces `buf`'s contents with the next message, which must be
    /// `size` bytes; `false` when the peer has said it sends no more.
    fn recv(&mut self, buf: &mut Vec<u8>, size: usize) -> Result<bool>;
    /// Tells the peer that no more messages come.
    fn finish(&mut self) -> Result<()>;
}

/// A byte stream: framing is "every message has the agreed size", so the
/// reader asks for exactly that many bytes; end of stream means done.
struct StreamLink {
    r: Box<dyn Read>,
    w: Option<Box<dyn Write>>,
    /// Sockets: the write half is a duplicate, so dropping it does not tell
    /// the peer; shut the direction down instead.
    shutdown: Option<Box<dyn FnOnce() -> std::io::Result<()>>>,
}

impl Link for StreamLink {
    fn send(&mut self, msg: &[u8]) -> Result<()> {
        self.w.as_mut().context("link finished")?.write_all(msg)?;
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>, size: usize) -> Result<bool> {
        buf.resize(size, 0);
        match self.r.read_exact(buf) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn finish(&mut self) -> Result<()> {
        self.w = None;
        if let Some(shutdown) = self.shutdown.take() {
            shutdown()?;
        }
        Ok(())
    }
}

/// Message transports (ZeroMQ, the ring): a one-byte message means "done";
/// the ladder's messages are never that short.
const STOP: [u8; 1] = [0];

struct ZmqLink {
    socket: zmq::Socket,
    _context: zmq::Context,
    /// STOP went out: a second one would wait for a reader that has gone.
    done: bool,
}

impl Link for ZmqLink {
    fn send(&mut self, msg: &[u8]) -> Result<()> {
        self.socket.send(msg, 0)?;
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>, size: usize) -> Result<bool> {
        buf.resize(size, 0);
        let n = self.socket.recv_into(buf, 0)?;
        if n == STOP.len() && size != STOP.len() {
            return Ok(false);
        }
        ensure!(n == size, "expected {size} bytes, got {n}");
        Ok(true)
    }

    fn finish(&mut self) -> Result<()> {
        if !std::mem::replace(&mut self.done, true) {
            self.send(&STOP)?;
        }
        Ok(())
    }
}

fn zmq_link(endpoint: &str, bind: bool) -> Result<(ZmqLink, String)> {
    let context = zmq::Context::new();
    let socket = context.socket(zmq::PAIR)?;
    // Queued messages get a second to leave when the socket closes.
    socket.set_linger(1000)?;
    // A bounded wait: a dead peer fails the run instead of hanging it.
    socket.set_rcvtimeo(PATIENCE.as_millis() as i32)?;
    socket.set_sndtimeo(PATIENCE.as_millis() as i32)?;
    let endpoint = if bind {
        socket.bind(endpoint)?;
        // For tcp://127.0.0.1:*, the port the system picked.
        socket
            .get_last_endpoint()?
            .map_err(|_| anyhow::anyhow!("endpoint is not UTF-8"))?
    } else {
        socket.connect(endpoint)?;
        endpoint.to_string()
    };
    Ok((
        ZmqLink {
            socket,
            _context: context,
            done: false,
        },
        endpoint,
    ))
}

/// Two rings in one shared mapping: one each way.
struct RingLink {
    tx: spsc_ring::Producer,
    rx: spsc_ring::Consumer,
    scratch: Vec<u8>,
    done: bool,
    // Declared last: the rings point into it, so it goes last.
    _map: memmap2::MmapMut,
}

/// Where the second ring starts in the mapping.
fn ring_offset() -> usize {
    spsc_ring::region_size(RING_CAPACITY).next_multiple_of(4096)
}

fn ring_link(path: &Path, create: bool) -> Result<RingLink> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(create)
        .open(path)?;
    if create {
        // A new file's bytes read as zero: an empty ring each way.
        file.set_len(2 * ring_offset() as u64)?;
    }
    // SAFETY: the file is ours (in the temp folder, named by our pid); the
    // only other process mapping it is our child, and both use its bytes
    // only through the ring's atomics and copies.
    let mut map = unsafe { memmap2::MmapMut::map_mut(&file)? };
    ensure!(map.len() >= 2 * ring_offset(), "ring file too short");
    let base = map.as_mut_ptr();
    // The parent sends on ring 0, the child on ring 1.
    let (out, inn) = if create { (0, 1) } else { (1, 0) };
    // SAFETY: a page-aligned mapping of 2 * ring_offset() bytes, zero when
    // the parent created it, so each half is a valid region of
    // region_size(RING_CAPACITY) bytes; each ring has exactly one producer
    // (one process) and one consumer (the other), and the mapping lives in
    // the link as long as the ends do.
    let (tx, rx) = unsafe {
        (
            spsc_ring::Producer::attach(base.add(out * ring_offset()), RING_CAPACITY),
            spsc_ring::Consumer::attach(base.add(inn * ring_offset()), RING_CAPACITY),
        )
    };
    Ok(RingLink {
        tx,
        rx,
        scratch: Vec::with_capacity(1 << 20),
        done: false,
        _map: map,
    })
}

impl RingLink {
    fn max_message(&self) -> usize {
        self.tx.max_message()
    }
}

impl Link for RingLink {
    fn send(&mut self, msg: &[u8]) -> Result<()> {
        // Larger than a ring message: sent in chunks (not needed at 4 MiB).
        for chunk in msg.chunks(self.tx.max_message()) {
            let tx = &mut self.tx;
            spin_until(|| tx.try_send(chunk), 256, PATIENCE)?;
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>, size: usize) -> Result<bool> {
        let rx = &mut self.rx;
        // The first (usually the only) chunk goes straight into `buf`: one
        // copy out of the ring, as a read() makes one copy out of the kernel.
        spin_until(|| rx.try_recv(buf), 256, PATIENCE)?;
        if buf.len() == STOP.len() && size != STOP.len() {
            return Ok(false);
        }
        while buf.len() < size {
            let (rx, scratch) = (&mut self.rx, &mut self.scratch);
            spin_until(|| rx.try_recv(scratch), 256, PATIENCE)?;
            buf.extend_from_slice(scratch);
        }
        ensure!(
            buf.len() == size,
            "expected {size} bytes, got {}",
            buf.len()
        );
        Ok(true)
    }

    fn finish(&mut self) -> Result<()> {
        if !std::mem::replace(&mut self.done, true) {
            self.send(&STOP)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Setting up a link: the parent creates, the child joins.

/// Clears close-on-exec, so the child inherits `fd`.
fn inherit(fd: RawFd) -> Result<()> {
    // SAFETY: fcntl on a descriptor we own, changing only its flags.
    let rc = unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
    ensure!(rc == 0, "fcntl: {}", std::io::Error::last_os_error());
    Ok(())
}

fn clear_nonblocking(file: &File) -> Result<()> {
    // SAFETY: fcntl on a descriptor `file` owns, changing only its flags.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETFL, 0) };
    ensure!(rc == 0, "fcntl: {}", std::io::Error::last_os_error());
    Ok(())
}

/// Opens a FIFO's write end, waiting (bounded) for a reader to open it.
fn open_fifo_writer(path: &Path) -> Result<File> {
    let start = Instant::now();
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Ok(f) => {
                clear_nonblocking(&f)?;
                return Ok(f);
            }
            // ENXIO: no reader yet.
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) && start.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_micros(200));
            }
            Err(e) => return Err(e).context("opening a FIFO for writing"),
        }
    }
}

fn accept_within<T>(mut accept: impl FnMut() -> std::io::Result<T>) -> Result<T> {
    let start = Instant::now();
    loop {
        match accept() {
            Ok(s) => return Ok(s),
            Err(e) if e.kind() == ErrorKind::WouldBlock && start.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_micros(200));
            }
            Err(e) => return Err(e).context("waiting for the child to connect"),
        }
    }
}

fn socket_link<S>(
    stream: S,
    shutdown: impl FnOnce(&S) -> std::io::Result<()> + 'static,
) -> Result<StreamLink>
where
    S: Read + Write + 'static,
    S: TryCloneStream,
{
    let r = stream.try_clone_stream()?;
    let w = stream.try_clone_stream()?;
    Ok(StreamLink {
        r: Box::new(r),
        w: Some(Box::new(w)),
        shutdown: Some(Box::new(move || shutdown(&stream))),
    })
}

trait TryCloneStream: Sized {
    fn try_clone_stream(&self) -> std::io::Result<Self>;
}

impl TryCloneStream for TcpStream {
    fn try_clone_stream(&self) -> std::io::Result<Self> {
        self.try_clone()
    }
}

impl TryCloneStream for UnixStream {
    fn try_clone_stream(&self) -> std::io::Result<Self> {
        self.try_clone()
    }
}

/// A temporary folder for FIFOs, socket files and the ring's file.
fn scratch_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("book-ipc-ladder-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// This program, for the child to run. `/proc/self/exe` still works when
/// the file has been replaced meanwhile (a rebuild during a long run).
fn this_program() -> Result<PathBuf> {
    let proc_self = PathBuf::from("/proc/self/exe");
    if proc_self.exists() {
        Ok(proc_self)
    } else {
        Ok(std::env::current_exe()?)
    }
}

/// A child process that is killed if the session fails before it ends, so
/// that no child is left waiting for a parent that gave up.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// A running child and the parent's end of the link to it.
pub struct Session {
    pub link: Box<dyn Link>,
    child: ChildGuard,
    /// Files to remove when done.
    cleanup: Vec<PathBuf>,
}

impl Session {
    /// Starts a child that echoes (`drain == false`) or drains messages of
    /// `size` bytes over `mech`.
    pub fn start(mech: Mech, size: usize, drain: bool) -> Result<Session> {
        let dir = scratch_dir()?;
        let mode = if drain { "drain" } else { "echo" };
        let spawn = |addr: &str| -> Result<ChildGuard> {
            Ok(ChildGuard(
                Command::new(this_program()?)
                    .env(CHILD, format!("{} {mode} {size} {addr}", mech.key()))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::inherit())
                    .spawn()?,
            ))
        };
        let mut cleanup = Vec::new();
        let (link, child): (Box<dyn Link>, ChildGuard) = match mech {
            Mech::Pipe => {
                // Two pipes, one each way; the child's ends are inherited.
                let (to_child_r, to_child_w) = std::io::pipe()?;
                let (from_child_r, from_child_w) = std::io::pipe()?;
                inherit(to_child_r.as_raw_fd())?;
                inherit(from_child_w.as_raw_fd())?;
                let child = spawn(&format!(
                    "{} {}",
                    to_child_r.as_raw_fd(),
                    from_child_w.as_raw_fd()
                ))?;
                // Our copies of the child's ends go, so that end of file works.
                drop((to_child_r, from_child_w));
                let link = StreamLink {
                    r: Box::new(from_child_r),
                    w: Some(Box::new(to_child_w)),
                    shutdown: None,
                };
                (Box::new(link), child)
            }
            Mech::Fifo => {
                let n = NEXT.with(|c| c.replace(c.get() + 1));
                let down = dir.join(format!("down-{n}"));
                let up = dir.join(format!("up-{n}"));
                for p in [&down, &up] {
                    nix::unistd::mkfifo(
                        p,
                        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
                    )?;
                    cleanup.push(p.clone());
                }
                let child = spawn(&format!("{} {}", down.display(), up.display()))?;
                // The child opens `down` first, then `up`: the same order
                // here, or both wait for ever. Opening `up` waits for the
                // child's writer, so a read never sees "no writer yet".
                let w = open_fifo_writer(&down)?;
                let r = File::open(&up)?;
                let link = StreamLink {
                    r: Box::new(r),
                    w: Some(Box::new(w)),
                    shutdown: None,
                };
                (Box::new(link), child)
            }
            Mech::Unix => {
                let n = NEXT.with(|c| c.replace(c.get() + 1));
                let path = dir.join(format!("sock-{n}"));
                let listener = UnixListener::bind(&path)?;
                cleanup.push(path.clone());
                listener.set_nonblocking(true)?;
                let child = spawn(&path.display().to_string())?;
                let (stream, _) = accept_within(|| listener.accept())?;
                stream.set_nonblocking(false)?;
                let link = socket_link(stream, |s| s.shutdown(std::net::Shutdown::Write))?;
                (Box::new(link), child)
            }
            Mech::Tcp => {
                let listener = TcpListener::bind("127.0.0.1:0")?;
                listener.set_nonblocking(true)?;
                let child = spawn(&listener.local_addr()?.to_string())?;
                let (stream, _) = accept_within(|| listener.accept())?;
                stream.set_nonblocking(false)?;
                // Without it, Nagle's algorithm holds small writes back.
                stream.set_nodelay(true)?;
                let link = socket_link(stream, |s| s.shutdown(std::net::Shutdown::Write))?;
                (Box::new(link), child)
            }
            Mech::Ring => {
                let n = NEXT.with(|c| c.replace(c.get() + 1));
                let path = dir.join(format!("ring-{n}"));
                let link = ring_link(&path, true)?;
                cleanup.push(path.clone());
                let child = spawn(&path.display().to_string())?;
                (Box::new(link), child)
            }
            Mech::ZmqIpc | Mech::ZmqTcp => {
                let endpoint = if mech == Mech::ZmqIpc {
                    let n = NEXT.with(|c| c.replace(c.get() + 1));
                    let path = dir.join(format!("zmq-{n}"));
                    cleanup.push(path.clone());
                    format!("ipc://{}", path.display())
                } else {
                    "tcp://127.0.0.1:*".to_string()
                };
                let (link, endpoint) = zmq_link(&endpoint, true)?;
                let child = spawn(&endpoint)?;
                (Box::new(link), child)
            }
        };
        Ok(Session {
            link,
            child,
            cleanup,
        })
    }

    /// Tells the child to stop (if not done yet), waits for it, and removes
    /// the files.
    pub fn end(mut self) -> Result<()> {
        let finished = self.link.finish();
        let status = self.child.0.wait()?;
        drop(self.link);
        for p in &self.cleanup {
            let _ = std::fs::remove_file(p);
        }
        // Only once empty: the last session of the run removes it.
        if let Ok(dir) = scratch_dir() {
            let _ = std::fs::remove_dir(dir);
        }
        finished?;
        ensure!(status.success(), "the child failed: {status}");
        Ok(())
    }
}

thread_local! {
    /// Numbers the scratch files of one run.
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The child's end of a link, from the address the parent gave.
fn join(mech: Mech, addr: &str) -> Result<Box<dyn Link>> {
    Ok(match mech {
        Mech::Pipe => {
            let (r, w) = addr.split_once(' ').context("two descriptors")?;
            let (r, w): (RawFd, RawFd) = (r.parse()?, w.parse()?);
            // SAFETY: the parent made these two descriptors inheritable for
            // us and passed their numbers; nothing else in this process
            // owns them.
            let (r, w) = unsafe { (File::from_raw_fd(r), File::from_raw_fd(w)) };
            Box::new(StreamLink {
                r: Box::new(r),
                w: Some(Box::new(w)),
                shutdown: None,
            })
        }
        Mech::Fifo => {
            let (down, up) = addr.split_once(' ').context("two paths")?;
            // The same order as the parent: it waits for our reader first.
            let r = std::fs::File::open(down)?;
            let w = std::fs::OpenOptions::new().write(true).open(up)?;
            Box::new(StreamLink {
                r: Box::new(r),
                w: Some(Box::new(w)),
                shutdown: None,
            })
        }
        Mech::Unix => {
            let stream = UnixStream::connect(addr)?;
            Box::new(socket_link(stream, |s| {
                s.shutdown(std::net::Shutdown::Write)
            })?)
        }
        Mech::Tcp => {
            let stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            Box::new(socket_link(stream, |s| {
                s.shutdown(std::net::Shutdown::Write)
            })?)
        }
        Mech::Ring => Box::new(ring_link(Path::new(addr), false)?),
        Mech::ZmqIpc | Mech::ZmqTcp => Box::new(zmq_link(addr, false)?.0),
    })
}

/// Run as the child when `CHILD` is set: echo or drain, then exit.
pub fn child_entry() -> Option<Result<()>> {
    let spec = std::env::var(CHILD).ok()?;
    Some((|| {
        let mut parts = spec.splitn(4, ' ');
        let (Some(mech), Some(mode), Some(size), Some(addr)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            bail!("bad child spec {spec:?}");
        };
        let mut link = join(Mech::from_key(mech)?, addr)?;
        let size: usize = size.parse()?;
        let mut buf = Vec::with_capacity(size);
        match mode {
            "echo" => {
                while link.recv(&mut buf, size)? {
                    link.send(&buf)?;
                }
            }
            "drain" => {
                let mut bytes = 0u64;
                while link.recv(&mut buf, size)? {
                    bytes += size as u64;
                }
                link.send(&bytes.to_le_bytes())?;
            }
            _ => bail!("bad mode {mode:?}"),
        }
        Ok(())
    })())
}

// ---------------------------------------------------------------------------
// Measurements.

/// Round trips per second: send a message, wait for it to come back.
pub fn ping_pong(link: &mut dyn Link, size: usize, budget: Duration) -> Result<f64> {
    let out = vec![0x2Au8; size];
    let mut back = Vec::with_capacity(size);
    let warm_up = if size >= 64 << 10 { 3 } else { 100 };
    for _ in 0..warm_up {
        link.send(&out)?;
        ensure!(link.recv(&mut back, size)?, "the child stopped");
    }
    let every: u64 = if size >= 64 << 10 { 1 } else { 16 };
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        link.send(&out)?;
        ensure!(link.recv(&mut back, size)?, "the child stopped");
        n += 1;
        if n.is_multiple_of(every) && start.elapsed() >= budget {
            break;
        }
    }
    ensure!(back == out, "the echo differs from the message");
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// Bytes per second one way: send messages back to back while the child
/// drains them; the clock stops when the child confirms it has them all.
fn stream_out(link: &mut dyn Link, size: usize, budget: Duration) -> Result<f64> {
    let msg = vec![0x2Au8; size];
    let every: u64 = match size {
        s if s <= 64 => 256,
        s if s <= 1024 => 64,
        _ => 1,
    };
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        link.send(&msg)?;
        n += 1;
        if n.is_multiple_of(every) && start.elapsed() >= budget {
            break;
        }
    }
    link.finish()?;
    let mut ack = Vec::with_capacity(8);
    ensure!(link.recv(&mut ack, 8)?, "no byte count from the child");
    let ack: [u8; 8] = ack[..].try_into()?;
    let elapsed = start.elapsed().as_secs_f64();
    let bytes = n * size as u64;
    ensure!(
        u64::from_le_bytes(ack) == bytes,
        "the child counted {} bytes, we sent {bytes}",
        u64::from_le_bytes(ack)
    );
    Ok(bytes as f64 / elapsed)
}

pub fn measure(mech: Mech, size: usize, drain: bool, budget: Duration) -> Result<f64> {
    let mut session = Session::start(mech, size, drain)
        .with_context(|| format!("starting {} at {size} B", mech.label()))?;
    let rate = if drain {
        stream_out(session.link.as_mut(), size, budget)
    } else {
        ping_pong(session.link.as_mut(), size, budget)
    };
    let ended = session.end();
    let rate = rate.with_context(|| format!("{} at {size} B", mech.label()))?;
    ended?;
    Ok(rate)
}

#[derive(Serialize, Deserialize)]
struct Row {
    mechanism: String,
    size: usize,
    /// Round trips per second.
    round_trips: Spread,
    /// Bytes per second, one way.
    throughput: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    budget_s: f64,
    reps: usize,
    ring_capacity: usize,
    ring_max_message: usize,
    rows: Vec<Row>,
    /// (size, bytes per second) of one core's memcpy.
    memcpy: Vec<(usize, Spread)>,
    /// Round trips per second at 64 B with `busy_threads` threads spinning
    /// beside the two processes: (mechanism, rate).
    busy: Vec<(String, Spread)>,
    busy_threads: usize,
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 3 }
}

/// The mechanisms measured again with the CPUs oversubscribed.
const BUSY: [Mech; 2] = [Mech::Pipe, Mech::Ring];

pub fn steps(quick: bool) -> u64 {
    // Per size: rounds (one warm-up) of 7 ping-pongs, then of 7 streams and
    // memcpy; then rounds of the busy pair.
    ((SIZES.len() * (MECHS.len() * 2 + 1) + BUSY.len()) * (reps(quick) + 1)) as u64
}

/// `f`, while `threads` other threads spin: together with the two
/// processes of a ping-pong, one more runnable thread than there are CPUs.
fn with_busy_cpus<T>(threads: usize, f: impl FnOnce() -> T) -> T {
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            });
        }
        let out = f();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        out
    })
}

type Measure<'a> = Box<dyn Fn() -> f64 + 'a>;

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = reps(ctx.quick);
    let budget = Duration::from_secs_f64(ctx.pick(0.3, 0.02));
    let failure: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    // interleaved_stats wants plain numbers: keep the first error aside.
    let guard = |r: Result<f64>| -> f64 {
        r.unwrap_or_else(|e| {
            failure.borrow_mut().get_or_insert(e);
            f64::NAN
        })
    };
    let mut rows = Vec::new();
    let mut memcpy = Vec::new();
    for size in SIZES {
        let pings: Vec<Measure> = MECHS
            .iter()
            .map(|&m| Box::new(move || guard(measure(m, size, false, budget))) as Measure)
            .collect();
        let refs: Vec<&dyn Fn() -> f64> = pings.iter().map(|b| b.as_ref()).collect();
        let round_trips = interleaved_stats(reps, &refs, || {
            ctx.step(&format!("ping-pong {}", human_bytes(size as u64)))
        });
        if let Some(e) = failure.borrow_mut().take() {
            return Err(e);
        }
        let mut streams: Vec<Measure> = MECHS
            .iter()
            .map(|&m| Box::new(move || guard(measure(m, size, true, budget))) as Measure)
            .collect();
        streams.push(Box::new(move || crate::harness::memcpy_rate(size, budget)));
        let refs: Vec<&dyn Fn() -> f64> = streams.iter().map(|b| b.as_ref()).collect();
        let throughput = interleaved_stats(reps, &refs, || {
            ctx.step(&format!("throughput {}", human_bytes(size as u64)))
        });
        if let Some(e) = failure.borrow_mut().take() {
            return Err(e);
        }
        for (i, m) in MECHS.iter().enumerate() {
            rows.push(Row {
                mechanism: m.key().to_string(),
                size,
                round_trips: round_trips[i],
                throughput: throughput[i],
            });
        }
        memcpy.push((size, throughput[MECHS.len()]));
    }
    let busy_threads = ctx.cores.saturating_sub(1).max(1);
    let busy_measures: Vec<Measure> = BUSY
        .iter()
        .map(|&m| {
            Box::new(move || {
                guard(with_busy_cpus(busy_threads, || {
                    measure(m, SIZES[0], false, budget)
                }))
            }) as Measure
        })
        .collect();
    let refs: Vec<&dyn Fn() -> f64> = busy_measures.iter().map(|b| b.as_ref()).collect();
    let busy_rates = interleaved_stats(reps, &refs, || ctx.step("ping-pong, CPUs busy"));
    if let Some(e) = failure.borrow_mut().take() {
        return Err(e);
    }
    let busy = BUSY
        .iter()
        .zip(busy_rates)
        .map(|(m, r)| (m.key().to_string(), r))
        .collect();
    let ring_max_message = {
        let dir = scratch_dir()?;
        let path = dir.join("ring-probe");
        let max = ring_link(&path, true)?.max_message();
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir(&dir);
        max
    };
    let data = Data {
        budget_s: budget.as_secs_f64(),
        reps,
        ring_capacity: RING_CAPACITY,
        ring_max_message,
        rows,
        memcpy,
        busy,
        busy_threads,
    };
    let values = values_of(&data);
    Recorded::new(values, data)
}

fn row(d: &Data, m: Mech, size: usize) -> &Row {
    d.rows
        .iter()
        .find(|r| r.mechanism == m.key() && r.size == size)
        .expect("every mechanism at every size")
}

fn memcpy_at(d: &Data, size: usize) -> f64 {
    d.memcpy
        .iter()
        .find(|(s, _)| *s == size)
        .map_or(f64::NAN, |(_, r)| r.median)
}

/// A rate for prose and tables: 1,234 or 4.70 M.
fn rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{} M", sig(x / 1e6, 3))
    } else {
        thousands(x)
    }
}

/// Bytes per second as GiB/s or MiB/s.
fn bandwidth(b: f64) -> String {
    if b >= (1u64 << 30) as f64 {
        format!("{} GiB/s", sig(b / (1u64 << 30) as f64, 3))
    } else {
        format!("{} MiB/s", sig(b / (1u64 << 20) as f64, 3))
    }
}

fn values_of(d: &Data) -> Values {
    let mut v = Values::default();
    let small = SIZES[0];
    for m in MECHS {
        let r = row(d, m, small);
        let per_s = r.round_trips.median;
        v.number(&format!("{}_rtt_per_s", m.key()), per_s, "1/s", rate(per_s));
        v.nanos(&format!("{}_rtt", m.key()), 1e9 / per_s);
        let big = row(d, m, 1 << 20).throughput.median;
        v.number(
            &format!("{}_mib_throughput", m.key()),
            big,
            "B/s",
            bandwidth(big),
        );
        let best = SIZES
            .iter()
            .map(|&s| row(d, m, s).throughput.median / memcpy_at(d, s))
            .fold(0.0, f64::max);
        v.number(
            &format!("{}_of_memcpy", m.key()),
            best * 100.0,
            "%",
            format!("{} %", sig(best * 100.0, 2)),
        );
        let rtt_1m = row(d, m, 1 << 20).round_trips.median;
        v.nanos(&format!("{}_rtt_1mib", m.key()), 1e9 / rtt_1m);
    }
    let rtt = |m: Mech| row(d, m, small).round_trips.median;
    for (key, r) in &d.busy {
        v.number(
            &format!("{key}_busy_rtt_per_s"),
            r.median,
            "1/s",
            rate(r.median),
        );
        let quiet = rtt(Mech::from_key(key).expect("a known mechanism"));
        let kept = r.median / quiet;
        v.number(
            &format!("{key}_busy_kept"),
            kept * 100.0,
            "%",
            format!("{} %", sig(kept * 100.0, 2)),
        );
    }
    v.number(
        "busy_threads",
        d.busy_threads as f64,
        "threads",
        d.busy_threads.to_string(),
    );
    v.ratio("ring_vs_pipe", rtt(Mech::Ring) / rtt(Mech::Pipe));
    v.ratio("uds_vs_tcp", rtt(Mech::Unix) / rtt(Mech::Tcp));
    v.ratio("pipe_vs_uds", rtt(Mech::Pipe) / rtt(Mech::Unix));
    v.ratio("fifo_vs_pipe", rtt(Mech::Fifo) / rtt(Mech::Pipe));
    v.ratio("pipe_vs_zmq", rtt(Mech::Pipe) / rtt(Mech::ZmqIpc));
    v.ratio("tcp_vs_zmq_tcp", rtt(Mech::Tcp) / rtt(Mech::ZmqTcp));
    let stream = |m: Mech, size: usize| row(d, m, size).throughput.median;
    v.ratio(
        "zmq_vs_pipe_stream_64",
        stream(Mech::ZmqIpc, 64) / stream(Mech::Pipe, 64),
    );
    v.ratio(
        "uds_vs_pipe_stream_1mib",
        stream(Mech::Unix, 1 << 20) / stream(Mech::Pipe, 1 << 20),
    );
    let mc = memcpy_at(d, 1 << 20);
    v.number("memcpy_1mib", mc, "B/s", bandwidth(mc));
    let mc64 = memcpy_at(d, 64);
    v.number("memcpy_64", mc64, "B/s", bandwidth(mc64));
    v.nanos("memcpy_64_ns", 64.0 / mc64 * 1e9);
    // ipc-bench's same ratios, on its machine.
    v.ratio("ipcbench_shm_vs_pipe", 4_702_557.0 / 162_441.0);
    v.ratio("ipcbench_uds_vs_tcp", 130_372.0 / 70_221.0);
    // This machine against ipc-bench's, mechanism by mechanism.
    for m in MECHS {
        if let Some((_, at100, _)) = m.ipc_bench() {
            v.ratio(&format!("{}_vs_ipcbench", m.key()), rtt(m) / at100);
        }
    }
    v.number(
        "budget_ms",
        d.budget_s * 1e3,
        "ms",
        format!("{} ms", sig(d.budget_s * 1e3, 3)),
    );
    v
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let size_name = |s: usize| human_bytes(s as u64);
    let mut head = vec!["mechanism".to_string()];
    head.extend(SIZES.iter().map(|&s| format!(">{}", size_name(s))));
    head.push(">round trip at 64 B".into());
    head.push(">ipc-bench, 100 B (1 KB)".into());
    let cols: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut trips = Table::new(&cols);
    for m in MECHS {
        let mut cells = vec![m.label().to_string()];
        cells.extend(
            SIZES
                .iter()
                .map(|&s| rate(row(&d, m, s).round_trips.median)),
        );
        cells.push(crate::harness::fmt_ns(
            1e9 / row(&d, m, SIZES[0]).round_trips.median,
        ));
        cells.push(match m.ipc_bench() {
            Some((_, a, b)) => format!("{} ({})", rate(a), rate(b)),
            None => "—".into(),
        });
        trips.row(cells);
    }
    let mut head = vec!["mechanism".to_string()];
    head.extend(SIZES.iter().map(|&s| format!(">{}", size_name(s))));
    head.push(">best, of memcpy".into());
    let cols: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut through = Table::new(&cols);
    for m in MECHS {
        let mut cells = vec![m.label().to_string()];
        cells.extend(
            SIZES
                .iter()
                .map(|&s| bandwidth(row(&d, m, s).throughput.median)),
        );
        let best = SIZES
            .iter()
            .map(|&s| row(&d, m, s).throughput.median / memcpy_at(&d, s))
            .fold(0.0, f64::max);
        cells.push(format!("{} %", sig(best * 100.0, 2)));
        through.row(cells);
    }
    let mut cells = vec!["memcpy, one core (the limit)".to_string()];
    cells.extend(SIZES.iter().map(|&s| bandwidth(memcpy_at(&d, s))));
    cells.push("100 %".into());
    through.row(cells);
    let mut busy = Table::new(&[
        "mechanism",
        ">round trips/s alone",
        ">beside busy threads",
        ">busy ÷ alone",
    ]);
    for (key, r) in &d.busy {
        let m = Mech::from_key(key)?;
        let quiet = row(&d, m, SIZES[0]).round_trips.median;
        busy.row(vec![
            m.label().to_string(),
            rate(quiet),
            rate(r.median),
            format!("{} %", sig(100.0 * r.median / quiet, 2)),
        ]);
    }
    let body = format!(
        "**Round trips per second** (one message there and back, between two processes):\n\n{}\n**One-way throughput** (a writer sending back to back, the other process reading every byte):\n\n{}\n**64-byte round trips with {} busy thread{} beside the two processes** (one runnable thread more than the machine has CPUs):\n\n{}",
        trips.to_markdown(),
        through.to_markdown(),
        d.busy_threads,
        if d.busy_threads == 1 { "" } else { "s" },
        busy.to_markdown()
    );
    let notes = format!(
        "Medians of {} runs of {} ms each, the mechanisms taken in turns (ranges in the result file). \
         Every message is a fixed size; stream transports read exactly that many bytes. \
         TCP with `TCP_NODELAY`; ZeroMQ with PAIR sockets; the ring (Listing 3-17) has {} of data each way \
         (messages up to {}), and its reader waits by spinning. \
         ipc-bench (Goldsborough et al.) counts one round trip as a message, on an Intel i5-4590S with Ubuntu 20.04; \
         its pipe and FIFO rows send the reply as a signal; its shared-memory row (beside the ring) spins on a one-byte flag; \
         its ZeroMQ row uses REQ/REP sockets.",
        d.reps,
        sig(d.budget_s * 1e3, 3),
        human_bytes(d.ring_capacity as u64),
        human_bytes(d.ring_max_message as u64),
    );
    // Bars: each mechanism at 64 B, beside ipc-bench's figure at 100 B.
    let mut bars = Vec::new();
    for m in MECHS {
        bars.push((
            format!("{} (64 B)", m.label()),
            row(&d, m, SIZES[0]).round_trips.median,
        ));
        if let Some((name, a, _)) = m.ipc_bench() {
            bars.push((format!("ipc-bench: {name} (100 B)"), a));
        }
    }
    let bar_plot = BarPlot {
        title: "Round trips per second between two processes",
        x_label: "round trips per second (log scale)",
        bars,
    }
    .to_svg()?;
    let mut series: Vec<Series> = MECHS
        .iter()
        .filter(|&&m| m != Mech::ZmqTcp)
        .enumerate()
        .map(|(i, &m)| Series {
            name: m.label().into(),
            points: SIZES
                .iter()
                .map(|&s| {
                    (
                        s as f64,
                        row(&d, m, s).throughput.median / (1u64 << 30) as f64,
                    )
                })
                .collect(),
            style: Style::Measured,
            color: i,
        })
        .collect();
    series.push(Series {
        name: "memcpy, one core".into(),
        points: d
            .memcpy
            .iter()
            .map(|(s, r)| (*s as f64, r.median / (1u64 << 30) as f64))
            .collect(),
        style: Style::Reference,
        color: 0,
    });
    let line_plot = LinePlot {
        title: "One-way throughput between two processes",
        x_label: "message size, bytes (log scale)",
        y_label: "GiB/s (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![
            (String::new(), bar_plot),
            ("-throughput".to_string(), line_plot),
        ],
    })
}

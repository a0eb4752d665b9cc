//! Beazley's Fibonacci server with a process pool: connections still get a
//! thread each, but `fib` runs in worker processes, as with Python's
//! `ProcessPoolExecutor`. A worker is this same binary, started again with
//! `FIB_POOL_WORKER` set; it reads one `n` per line on stdin and writes
//! `fib(n)` per line on stdout.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Largest `n` served: fib(40) already keeps a core busy for a good while.
pub const MAX_N: u32 = 40;
/// Longest request line, newline included; a number needs far less.
pub const MAX_LINE: usize = 16;

/// Deliberately slow (exponential): the server's stand-in for CPU work.
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        n.into()
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Parses one request line (without its newline) into `n`, or an error reply.
pub fn parse(line: &[u8]) -> Result<u32, &'static str> {
    let text = std::str::from_utf8(line).map_err(|_| "ERR not a number")?;
    let n: u32 = text.trim().parse().map_err(|_| "ERR not a number")?;
    if n > MAX_N {
        return Err("ERR n too large (max 40)");
    }
    Ok(n)
}

/// The environment variable that turns this binary into a pool worker.
pub const WORKER_ENV: &str = "FIB_POOL_WORKER";

// ANCHOR: worker
/// Call first thing in `main`: in a worker process, serves the parent over
/// stdin/stdout and returns `Some` when the parent closes the pipe.
pub fn worker_entry() -> Option<io::Result<()>> {
    std::env::var_os(WORKER_ENV)?;
    Some(worker_loop())
}

fn worker_loop() -> io::Result<()> {
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let n: u32 = line?.trim().parse().map_err(io::Error::other)?;
        out.write_all(format!("{}\n", fib(n.min(MAX_N))).as_bytes())?;
        out.flush()?; // stdout to a pipe is buffered: push the answer now
    }
    Ok(())
}

/// The parent's end of one worker process.
struct Worker {
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(exe: &Path) -> io::Result<Worker> {
        let mut child = Command::new(exe)
            .env(WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let to = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        let from = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        Ok(Worker {
            child,
            to,
            from: BufReader::new(from),
        })
    }

    /// One round trip over the pipes: two system calls each way.
    fn compute(&mut self, n: u32) -> io::Result<u64> {
        self.to.write_all(format!("{n}\n").as_bytes())?;
        let mut line = String::new();
        if self.from.read_line(&mut line)? == 0 {
            return Err(io::Error::other("worker died"));
        }
        line.trim().parse().map_err(io::Error::other)
    }
}
// ANCHOR_END: worker

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait(); // reap it: no zombies
    }
}

// ANCHOR: pool
type Job = (u32, Sender<io::Result<u64>>);

/// A fixed number of worker processes, each driven by one thread of ours.
pub struct Pool {
    jobs: Sender<Job>,
    pids: Arc<Mutex<Vec<u32>>>,
}

impl Pool {
    pub fn new(size: usize, exe: PathBuf) -> io::Result<Pool> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let pids = Arc::new(Mutex::new(vec![0; size]));
        for i in 0..size {
            let mut worker = Worker::spawn(&exe)?;
            pids.lock().unwrap()[i] = worker.child.id();
            let (queue, pids, exe) = (Arc::clone(&queue), Arc::clone(&pids), exe.clone());
            thread::spawn(move || {
                while let Some((n, reply)) = next_job(&queue) {
                    let mut result = worker.compute(n);
                    if result.is_err() {
                        // The worker crashed or was killed: replace it and
                        // give the task one more try.
                        result = Worker::spawn(&exe).and_then(|fresh| {
                            worker = fresh;
                            pids.lock().unwrap()[i] = worker.child.id();
                            worker.compute(n)
                        });
                    }
                    let _ = reply.send(result);
                }
            });
        }
        Ok(Pool { jobs, pids })
    }

    /// Sends `n` to a free worker and waits for the answer.
    pub fn compute(&self, n: u32) -> io::Result<u64> {
        let (reply, answer) = mpsc::channel();
        self.jobs
            .send((n, reply))
            .map_err(|_| io::Error::other("pool closed"))?;
        answer.recv().map_err(|_| io::Error::other("pool closed"))?
    }
}
// ANCHOR_END: pool

impl Pool {
    /// The workers' process ids (they change when a worker is replaced).
    pub fn pids(&self) -> Vec<u32> {
        self.pids.lock().unwrap().clone()
    }
}

fn next_job(queue: &Mutex<Receiver<Job>>) -> Option<Job> {
    // The lock is held while waiting: idle threads queue on the mutex, the
    // one holding it takes the next job (the channel is single-consumer).
    queue.lock().ok()?.recv().ok()
}

// ANCHOR: handle
/// One connection, as in Listing 6-22, except that `fib` runs in the pool.
pub fn handle(stream: TcpStream, pool: &Pool) -> io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    let mut line = Vec::with_capacity(MAX_LINE);
    loop {
        line.clear();
        let got = (&mut input)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if got == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') {
            if line.len() >= MAX_LINE {
                out.write_all(b"ERR line too long\n")?;
                return close_gently(input.into_inner());
            }
            return Ok(());
        }
        let reply = match parse(&line[..line.len() - 1]).map(|n| pool.compute(n)) {
            Ok(Ok(v)) => format!("{v}\n"),
            Ok(Err(_)) => "ERR worker failed\n".to_string(),
            Err(e) => format!("{e}\n"),
        };
        out.write_all(reply.as_bytes())?;
    }
}
// ANCHOR_END: handle

/// Serves with a pool of one worker per CPU, started from this executable.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    serve_with(listener, Pool::new(workers, std::env::current_exe()?)?)
}

/// Accepts for ever, a thread per connection, all sharing `pool`.
pub fn serve_with(listener: TcpListener, pool: Pool) -> io::Result<()> {
    let pool = Arc::new(pool);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let pool = Arc::clone(&pool);
                thread::spawn(move || handle(stream, &pool));
            }
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
    Ok(())
}

/// Stops writing, then discards a bounded amount of input for a moment, so the
/// error reply is not destroyed by a reset (Section 3.3's `close_gently`).
fn close_gently(stream: TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let _ = io::copy(&mut (&stream).take(64 * 1024), &mut io::sink());
    Ok(())
}

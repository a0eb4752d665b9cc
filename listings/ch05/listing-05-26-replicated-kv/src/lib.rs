//! A three-node key-value store. Any node coordinates a request: it writes
//! locally (appended to a log and fsync'd) and asks its peers in parallel; it
//! acknowledges once a majority (2 of 3) has the write on disk. A read asks a
//! majority too, so it always meets at least one node that saw every
//! acknowledged write. Each value carries a version chosen by the writer; a
//! node keeps the highest version, so a retried write is harmless.
//!
//! What it does not do: elect a leader, repair a replica that missed writes,
//! or order concurrent writers (two clients picking the same version race).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

/// The longest request or reply line, newline included.
pub const MAX_LINE: usize = 1024;
/// How long a node waits for a peer: connect, and then the answer.
pub const PEER_TIMEOUT: Duration = Duration::from_millis(300);
/// A connection idle this long is closed.
const IDLE: Duration = Duration::from_secs(10);
/// Connections served at once (a thread each); more are told "err busy".
pub const MAX_CONNECTIONS: usize = 4096;

fn valid_key(k: &str) -> bool {
    (1..=64).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Writes one line with one write call; reads one line of at most MAX_LINE.
pub fn exchange(stream: &mut TcpStream, line: &str) -> std::io::Result<String> {
    stream.write_all(format!("{line}\n").as_bytes())?;
    read_line(&mut BufReader::new(stream))
}

fn read_line(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut buf = Vec::new();
    reader.take(MAX_LINE as u64).read_until(b'\n', &mut buf)?;
    if buf.last() != Some(&b'\n') {
        let kind = if buf.len() >= MAX_LINE {
            "line too long"
        } else {
            "truncated line"
        };
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, kind));
    }
    buf.pop();
    String::from_utf8(buf)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"))
}

/// One replica: the map, and the log that makes it durable.
pub struct Store {
    map: HashMap<String, (u64, String)>,
    log: File,
}

impl Store {
    /// Opens (or creates) the log and replays it; a torn last line is ignored.
    pub fn open(path: &Path) -> std::io::Result<Store> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        let mut map = HashMap::new();
        for line in BufReader::new(File::open(path)?).lines() {
            let line = line?;
            if let [key, version, value] = line.splitn(3, ' ').collect::<Vec<_>>()[..]
                && let Ok(version) = version.parse::<u64>()
            {
                map.insert(key.to_string(), (version, value.to_string()));
            }
        }
        Ok(Store { map, log })
    }

    // ANCHOR: apply
    /// Keeps the higher version; returns once the write is on disk.
    pub fn apply(&mut self, key: &str, version: u64, value: &str) -> std::io::Result<()> {
        if self.map.get(key).is_some_and(|(v, _)| *v >= version) {
            return Ok(()); // a retry or an older write: nothing to do
        }
        self.log
            .write_all(format!("{key} {version} {value}\n").as_bytes())?;
        self.log.sync_data()?; // durable before anyone hears "ok"
        self.map
            .insert(key.to_string(), (version, value.to_string()));
        Ok(())
    }
    // ANCHOR_END: apply

    pub fn get(&self, key: &str) -> Option<(u64, String)> {
        self.map.get(key).cloned()
    }
}

/// A running node: its address, peers, and replica.
pub struct Node {
    pub peers: Vec<SocketAddr>,
    pub store: Mutex<Store>,
}

// ANCHOR: quorum
impl Node {
    /// Sends `line` to every peer at once and returns as soon as `needed`
    /// of them answered "ok..."; slow or dead peers only cost PEER_TIMEOUT.
    fn ask_peers(&self, line: &str, needed: usize) -> Vec<String> {
        let (tx, rx) = mpsc::channel();
        for &peer in &self.peers {
            let (tx, line) = (tx.clone(), line.to_string());
            thread::spawn(move || {
                let answer = TcpStream::connect_timeout(&peer, PEER_TIMEOUT).and_then(|mut s| {
                    s.set_read_timeout(Some(PEER_TIMEOUT))?;
                    exchange(&mut s, &line)
                });
                let _ = tx.send(answer);
            });
        }
        drop(tx);
        let mut answers = Vec::new();
        while answers.len() < needed {
            match rx.recv_timeout(PEER_TIMEOUT * 2) {
                Ok(Ok(a)) if a.starts_with("ok") => answers.push(a),
                Ok(_) => continue, // this peer failed; another may not
                Err(_) => break,   // all answered or out of time
            }
        }
        answers
    }
    // ANCHOR_END: quorum

    // ANCHOR: handle
    /// Handles one request line and returns the reply line.
    pub fn handle(&self, line: &str) -> String {
        let words: Vec<&str> = line.splitn(4, ' ').collect();
        match words[..] {
            // From a client: this node coordinates.
            ["put", key, version, value] if valid_key(key) => {
                let Ok(version) = version.parse::<u64>() else {
                    return "err bad version".into();
                };
                if let Err(e) = self.store.lock().unwrap().apply(key, version, value) {
                    return format!("err disk: {e}");
                }
                let acks = self.ask_peers(&format!("replicate {key} {version} {value}"), 1);
                if acks.is_empty() {
                    "err no majority".into()
                } else {
                    "ok".into()
                }
            }
            ["get", key] if valid_key(key) => {
                let mine = self.store.lock().unwrap().get(key);
                let theirs = self.ask_peers(&format!("read {key}"), 1);
                let Some(theirs) = theirs.first() else {
                    return "err no majority".into();
                };
                // "ok VERSION VALUE" or "ok none": keep the higher version.
                let other = theirs.splitn(3, ' ').collect::<Vec<_>>();
                let other = match other[..] {
                    ["ok", v, value] => v.parse::<u64>().ok().map(|v| (v, value.to_string())),
                    _ => None,
                };
                match mine.into_iter().chain(other).max_by_key(|(v, _)| *v) {
                    Some((v, value)) => format!("ok {v} {value}"),
                    None => "ok none".into(),
                }
            }
            // From a peer: local only.
            ["replicate", key, version, value] if valid_key(key) => {
                let Ok(version) = version.parse::<u64>() else {
                    return "err bad version".into();
                };
                match self.store.lock().unwrap().apply(key, version, value) {
                    Ok(()) => "ok".into(),
                    Err(e) => format!("err disk: {e}"),
                }
            }
            ["read", key] if valid_key(key) => match self.store.lock().unwrap().get(key) {
                Some((v, value)) => format!("ok {v} {value}"),
                None => "ok none".into(),
            },
            _ => "err bad request".into(),
        }
    }
}
// ANCHOR_END: handle

/// Serves connections (a thread each) until `stop` is set.
pub fn serve(listener: TcpListener, node: Arc<Node>, stop: &AtomicBool) -> std::io::Result<()> {
    serve_at_most(listener, node, stop, MAX_CONNECTIONS)
}

/// `serve` with a chosen connection limit (the tests use a small one).
pub fn serve_at_most(
    listener: TcpListener,
    node: Arc<Node>,
    stop: &AtomicBool,
    limit: usize,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let open = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((mut stream, _)) if open.load(Ordering::Relaxed) >= limit => {
                let _ = stream.write_all(b"err busy\n"); // and close it
            }
            Ok((stream, _)) => {
                let (node, open) = (node.clone(), open.clone());
                open.fetch_add(1, Ordering::Relaxed);
                thread::spawn(move || {
                    connection(stream, &node);
                    open.fetch_sub(1, Ordering::Relaxed);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => continue, // e.g. too many open files: keep serving
        }
    }
    Ok(())
}

fn connection(stream: TcpStream, node: &Node) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(IDLE));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let reply = match read_line(&mut reader) {
            Ok(line) => node.handle(&line),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let _ = writer.write_all(format!("err {e}\n").as_bytes());
                return; // the stream is out of step: close it
            }
            Err(_) => return, // closed, reset or idle
        };
        if writer.write_all(format!("{reply}\n").as_bytes()).is_err() {
            return;
        }
    }
}

// ANCHOR: client
/// A client that knows every node and sticks to the last one that answered.
pub struct Client {
    nodes: Vec<SocketAddr>,
    current: usize,
    pub timeout: Duration,
    /// Attempts that failed and moved on to the next node.
    pub failovers: u64,
}

impl Client {
    pub fn new(nodes: Vec<SocketAddr>) -> Client {
        let timeout = PEER_TIMEOUT * 4; // longer than a node's own wait
        Client {
            nodes,
            current: 0,
            timeout,
            failovers: 0,
        }
    }

    /// Tries each node in turn, twice round at most.
    pub fn call(&mut self, line: &str) -> Result<String, String> {
        let mut last = String::from("no nodes");
        for _ in 0..self.nodes.len() * 2 {
            let addr = self.nodes[self.current];
            let attempt = TcpStream::connect_timeout(&addr, self.timeout).and_then(|mut s| {
                s.set_read_timeout(Some(self.timeout))?;
                exchange(&mut s, line)
            });
            match attempt {
                Ok(reply) if reply.starts_with("ok") => return Ok(reply),
                // The request itself is wrong: no other node will like it.
                Ok(reply) if reply.starts_with("err bad") => return Err(reply),
                Ok(reply) => last = format!("{addr}: {reply}"),
                Err(e) => last = format!("{addr}: {e}"),
            }
            self.failovers += 1;
            self.current = (self.current + 1) % self.nodes.len();
        }
        Err(last)
    }

    /// The version makes the write idempotent: resending it is harmless.
    pub fn put(&mut self, key: &str, version: u64, value: &str) -> Result<(), String> {
        self.call(&format!("put {key} {version} {value}"))
            .map(|_| ())
    }

    pub fn get(&mut self, key: &str) -> Result<Option<String>, String> {
        let reply = self.call(&format!("get {key}"))?;
        Ok(reply.splitn(3, ' ').nth(2).map(str::to_string))
    }
}
// ANCHOR_END: client

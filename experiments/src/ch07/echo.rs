//! Beazley's echo test (PyCon 2009: 3 client processes x 300 sockets, random
//! 1,024-byte messages) against the tiny OS's echo server (Listing 7-18),
//! tokio's current-thread runtime (Listing 6-16) and a thread per connection
//! (Listing 6-2), each server in a child process of its own.

use super::pyos_echo;
use crate::Recorded;
use crate::harness::ChildServer;
use crate::harness::{Ctx, Values, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const CHILD: &str = "BOOK_CH07_ECHO_SERVER";
const MESSAGE: usize = 1024;
const CLIENTS: usize = 3;

/// Beazley's times for the same test in Python (seconds), ANCHORS.md.
const BEAZLEY: [(&str, f64); 3] = [
    ("coroutine OS", 326.3),
    ("Twisted", 420.7),
    ("threads", 42.8),
];

/// (key, our server, Beazley's nearest counterpart)
const SERVERS: [(&str, &str, &str); 3] = [
    ("pyos", "tiny OS of coroutines (7-18)", "coroutine OS"),
    ("tokio-ct", "tokio current-thread (6-16)", "Twisted"),
    ("thread", "thread per connection (6-2)", "threads"),
];

/// In the child: bind, report the address on stdout, serve until killed.
pub(crate) fn child_entry() -> Option<Result<()>> {
    let kind = std::env::var(CHILD).ok()?;
    Some(child(&kind).with_context(|| format!("ch07 echo server child {kind:?}")))
}

fn child(kind: &str) -> Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    match kind {
        "pyos" => {
            // The stop socket's other end stays open: the parent kills us.
            let (_keep, stop) = std::os::unix::net::UnixStream::pair()?;
            pyos_echo::serve(listener, stop)?;
        }
        "tokio-ct" => crate::ch06::tokio_echo::serve_current_thread(listener)?,
        "thread" => crate::ch06::thread_echo::serve(listener)?,
        other => bail!("unknown server {other}"),
    }
    Ok(())
}

/// A server in a child process.
struct Server;

impl Server {
    fn start(kind: &str) -> Result<ChildServer> {
        ChildServer::start(&[(CHILD, kind.to_string())])
    }
}

/// Beazley's client, one thread standing for each of his client processes:
/// connect `sockets` sockets, then `rounds` times send each socket a random
/// 1,024-byte message and read the echo back. Returns seconds for the
/// message phase (all clients connected before it starts).
fn echo_test(addr: SocketAddr, sockets: usize, rounds: usize) -> Result<f64> {
    let start_line = Arc::new(Barrier::new(CLIENTS + 1));
    let finish_line = Arc::new(Barrier::new(CLIENTS + 1));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (start_line, finish_line) = (start_line.clone(), finish_line.clone());
            std::thread::spawn(move || -> Result<()> {
                let connected: std::io::Result<Vec<TcpStream>> = (0..sockets)
                    .map(|_| {
                        let s = TcpStream::connect(addr)?;
                        s.set_nodelay(true)?;
                        s.set_read_timeout(Some(Duration::from_secs(30)))?;
                        Ok(s)
                    })
                    .collect();
                start_line.wait();
                let outcome = connected
                    .map_err(anyhow::Error::from)
                    .and_then(|mut socks| {
                        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (c as u64 + 1);
                        let mut msg = [0u8; MESSAGE];
                        let mut back = [0u8; MESSAGE];
                        for _ in 0..rounds {
                            for s in &mut socks {
                                for b in msg.iter_mut() {
                                    seed ^= seed << 13;
                                    seed ^= seed >> 7;
                                    seed ^= seed << 17;
                                    *b = seed as u8;
                                }
                                s.write_all(&msg)?;
                                s.read_exact(&mut back)?;
                                if back != msg {
                                    bail!("echo corrupted");
                                }
                            }
                        }
                        Ok(())
                    });
                finish_line.wait();
                outcome
            })
        })
        .collect();
    start_line.wait();
    let start = Instant::now();
    finish_line.wait();
    let seconds = start.elapsed().as_secs_f64();
    for c in clients {
        c.join().map_err(|_| anyhow::anyhow!("client panicked"))??;
    }
    Ok(seconds)
}

#[derive(Serialize, Deserialize)]
struct Row {
    key: String,
    seconds: f64,
    min: f64,
    max: f64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    clients: usize,
    sockets: usize,
    rounds: usize,
    messages: u64,
    rows: Vec<Row>,
}

pub fn steps(quick: bool) -> u64 {
    // A warm-up round, then the measured rounds, three servers each.
    (reps(quick) as u64 + 1) * SERVERS.len() as u64
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 3 }
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let sockets = ctx.pick(300, 50);
    let rounds = ctx.pick(10, 2);
    let servers: Vec<ChildServer> = SERVERS
        .iter()
        .map(|(key, _, _)| Server::start(key))
        .collect::<Result<_>>()?;
    let failure = std::cell::RefCell::new(None);
    let measure = |i: usize| match echo_test(servers[i].addr, sockets, rounds) {
        Ok(s) => s,
        Err(e) => {
            failure.borrow_mut().get_or_insert(e);
            f64::NAN
        }
    };
    let (m0, m1, m2) = (|| measure(0), || measure(1), || measure(2));
    let stats = interleaved_stats(reps(ctx.quick), &[&m0, &m1, &m2], || ctx.step("echo test"));
    if let Some(e) = failure.take() {
        return Err(e);
    }
    let messages = (CLIENTS * sockets * rounds) as u64;
    let rows: Vec<Row> = SERVERS
        .iter()
        .zip(&stats)
        .map(|((key, _, _), s)| Row {
            key: key.to_string(),
            seconds: s.median,
            min: s.min,
            max: s.max,
        })
        .collect();
    let mut values = Values::default();
    let secs = |k: &str| {
        rows.iter()
            .find(|r| r.key == k)
            .map_or(f64::NAN, |r| r.seconds)
    };
    for (key, _, _) in SERVERS {
        let rate = messages as f64 / secs(key);
        let name = key.replace('-', "_");
        values.number(&format!("{name}_rate"), rate, "messages/s", thousands(rate));
        if key != "thread" {
            values.ratio(&format!("{name}_vs_thread"), secs(key) / secs("thread"));
        }
    }
    values.ratio("pyos_vs_tokio", secs("pyos") / secs("tokio-ct"));
    values.ratio("beazley_os_vs_threads", 326.3 / 42.8);
    values.ratio("beazley_twisted_vs_threads", 420.7 / 42.8);
    values.number(
        "messages",
        messages as f64,
        "messages",
        thousands(messages as f64),
    );
    values.number(
        "sockets",
        (CLIENTS * sockets) as f64,
        "sockets",
        thousands((CLIENTS * sockets) as f64),
    );
    Recorded::new(
        values,
        Data {
            clients: CLIENTS,
            sockets,
            rounds,
            messages,
            rows,
        },
    )
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let threads = d
        .rows
        .iter()
        .find(|r| r.key == "thread")
        .map_or(f64::NAN, |r| r.seconds);
    let beazley = |name: &str| {
        BEAZLEY
            .iter()
            .find(|b| b.0 == name)
            .map_or(f64::NAN, |b| b.1)
    };
    let mut table = Table::new(&[
        "server",
        ">total time",
        ">messages/s",
        ">time ÷ threads",
        "Beazley 2009 (Python)",
        ">his time",
        ">his time ÷ threads",
    ]);
    let mut bars = Vec::new();
    for ((key, ours, his), row) in SERVERS.iter().zip(&d.rows) {
        debug_assert_eq!(*key, row.key);
        let mine = row.seconds / threads;
        let theirs = beazley(his) / beazley("threads");
        table.row(vec![
            ours.to_string(),
            format!(
                "{} s ({}–{})",
                sig(row.seconds, 3),
                sig(row.min, 3),
                sig(row.max, 3)
            ),
            thousands(d.messages as f64 / row.seconds),
            format!("{}×", sig(mine, 3)),
            his.to_string(),
            format!("{} s", beazley(his)),
            format!("{}×", sig(theirs, 3)),
        ]);
        bars.push((format!("Rust: {ours}"), mine));
        bars.push((format!("Python 2009: {his}"), theirs));
    }
    let notes = format!(
        "{} client threads × {} sockets, {} rounds of one random {}-byte message per socket ({} messages), each server in a child process; median of the runs, min–max in brackets. Beazley's column: his PyCon 2009 echo test (3 client processes × 300 sockets), cited in the text.",
        d.clients,
        d.sockets,
        d.rounds,
        MESSAGE,
        thousands(d.messages as f64)
    );
    let plot = BarPlot {
        title: "Echo test: time relative to a thread per connection",
        x_label: "time ÷ thread-per-connection time (log scale)",
        bars,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}

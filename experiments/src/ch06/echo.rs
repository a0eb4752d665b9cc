//! The echo server shoot-out: thread per connection (Listing 6-2), the mio
//! loop (Listing 6-10), tokio current-thread and multi-thread (Listing 6-16),
//! each in a child process of its own, under the same ping-pong load of 64-byte
//! messages from 1 to 1,000 connections.

use super::{mio_echo, thread_echo, tokio_echo};
use crate::Recorded;
use crate::harness::ChildServer;
use crate::harness::{Ctx, Values, fmt_ns, sig, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, bail};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use serde::{Deserialize, Serialize};
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const CHILD: &str = "BOOK_CH06_ECHO_SERVER";
const PIN: &str = "BOOK_CH06_ECHO_PIN";
const MESSAGE: usize = 64;
/// Skvortsov's Python echo server alone, ~30,000 requests/s (ANCHORS.md).
const PYTHON_ANCHOR: f64 = 30_000.0;

pub(super) const SERVERS: [(&str, &str); 4] = [
    ("thread", "thread per connection (6-2)"),
    ("mio", "mio loop (6-10)"),
    ("tokio-ct", "tokio current-thread (6-16)"),
    ("tokio-mt", "tokio multi-thread, 2 workers (6-16)"),
];

pub(super) fn pin_to(cpu: usize) -> Result<()> {
    use nix::sched::{CpuSet, sched_setaffinity};
    let mut set = CpuSet::new();
    set.set(cpu)?;
    // Pid 0: the calling thread; threads it creates later inherit the mask.
    sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)?;
    Ok(())
}

/// In the child: bind, report the port on stdout, serve until killed.
pub(crate) fn child_entry() -> Option<Result<()>> {
    let kind = std::env::var(CHILD).ok()?;
    Some(child(&kind).with_context(|| format!("echo server child {kind:?}")))
}

fn child(kind: &str) -> Result<()> {
    if let Ok(cpu) = std::env::var(PIN) {
        pin_to(cpu.parse()?)?;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    match kind {
        "thread" => thread_echo::serve(listener)?,
        "mio" => mio_echo::serve(listener)?,
        "tokio-ct" => tokio_echo::serve_current_thread(listener)?,
        "tokio-mt" => tokio_echo::serve_multi_thread(listener, 2)?,
        other => bail!("unknown server {other}"),
    }
    Ok(())
}

/// A server in a child process, pinned to `pin` if given.
pub(super) struct Server;

impl Server {
    pub(super) fn start(kind: &str, pin: Option<usize>) -> Result<ChildServer> {
        let mut vars = vec![(CHILD, kind.to_string())];
        if let Some(cpu) = pin {
            vars.push((PIN, cpu.to_string()));
        }
        ChildServer::start(&vars)
    }
}

/// What one load run saw.
pub(super) struct Load {
    pub(super) requests: u64,
    pub(super) seconds: f64,
    pub(super) p99_ns: f64,
    pub(super) errors: u64,
}

/// `conns` connections, each sending 64 bytes and waiting for their echo
/// before sending again (a closed loop), driven by one mio thread.
pub(super) fn ping_pong(
    addr: SocketAddr,
    conns: usize,
    warm: Duration,
    window: Duration,
) -> Result<Load> {
    let mut poll = Poll::new()?;
    let mut socks = Vec::with_capacity(conns);
    for i in 0..conns {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_nonblocking(true)?;
        let mut s = TcpStream::from_std(s);
        poll.registry()
            .register(&mut s, Token(i), Interest::READABLE)?;
        socks.push(Some(s));
    }
    let msg = [b'e'; MESSAGE];
    let mut got = vec![0usize; conns];
    let mut sent_at = vec![Instant::now(); conns];
    let mut errors = 0u64;
    let send = |s: &mut TcpStream| -> bool { matches!(s.write(&msg), Ok(MESSAGE)) };
    for (i, s) in socks.iter_mut().enumerate() {
        sent_at[i] = Instant::now();
        if !send(s.as_mut().expect("just connected")) {
            errors += 1;
            *s = None;
        }
    }
    let start = Instant::now();
    let (from, to) = (start + warm, start + warm + window);
    let mut latencies: Vec<u64> = Vec::with_capacity(1 << 18);
    let mut requests = 0u64;
    let mut events = Events::with_capacity(1024);
    let mut buf = [0u8; 4096];
    loop {
        let now = Instant::now();
        if now >= to {
            break;
        }
        poll.poll(&mut events, Some(to - now))?;
        for event in events.iter() {
            let i = event.token().0;
            let Some(s) = socks[i].as_mut() else { continue };
            let mut alive = true;
            loop {
                match s.read(&mut buf) {
                    Ok(0) => {
                        alive = false;
                        break;
                    }
                    Ok(n) => got[i] += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        alive = false;
                        break;
                    }
                }
            }
            if got[i] >= MESSAGE && alive {
                got[i] -= MESSAGE;
                let now = Instant::now();
                if now >= from && now < to {
                    requests += 1;
                    latencies.push((now - sent_at[i]).as_nanos() as u64);
                }
                sent_at[i] = now;
                alive = send(s);
            }
            if !alive {
                errors += 1;
                socks[i] = None;
            }
        }
    }
    latencies.sort_unstable();
    let p99 = latencies
        .get(latencies.len().saturating_sub(1) * 99 / 100)
        .copied()
        .unwrap_or(0) as f64;
    Ok(Load {
        requests,
        seconds: window.as_secs_f64(),
        p99_ns: p99,
        errors,
    })
}

/// Bytes a streaming connection may have sent but not yet seen echoed.
const STREAM_WINDOW: usize = 256 * 1024;
const STREAM_CONNS: usize = 10;

/// `conns` connections, each writing 64 KiB chunks as fast as the echo comes
/// back (at most `STREAM_WINDOW` in flight). Returns echoed bytes per second
/// and the number of connections that failed.
fn streaming(
    addr: SocketAddr,
    conns: usize,
    warm: Duration,
    window: Duration,
) -> Result<(f64, u64)> {
    struct Conn {
        s: TcpStream,
        sent: usize,
        got: usize,
    }
    let mut poll = Poll::new()?;
    let mut all = Vec::with_capacity(conns);
    for i in 0..conns {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_nonblocking(true)?;
        let mut s = TcpStream::from_std(s);
        let both = Interest::READABLE | Interest::WRITABLE;
        poll.registry().register(&mut s, Token(i), both)?;
        all.push(Some(Conn { s, sent: 0, got: 0 }));
    }
    let chunk = vec![b's'; 64 * 1024];
    let mut buf = vec![0u8; 64 * 1024];
    let mut events = Events::with_capacity(256);
    let start = Instant::now();
    let (from, to) = (start + warm, start + warm + window);
    let (mut counted, mut errors) = (0u64, 0u64);
    while Instant::now() < to {
        poll.poll(&mut events, Some(Duration::from_millis(100)))?;
        for event in events.iter() {
            let i = event.token().0;
            let Some(c) = all[i].as_mut() else { continue };
            // Edge-triggered: read and write until neither makes progress.
            let ok = loop {
                let mut progress = false;
                match c.s.read(&mut buf) {
                    Ok(0) => break false,
                    Ok(n) => {
                        c.got += n;
                        progress = true;
                        let now = Instant::now();
                        if now >= from && now < to {
                            counted += n as u64;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => break false,
                }
                let room = STREAM_WINDOW - (c.sent - c.got).min(STREAM_WINDOW);
                if room > 0 {
                    match c.s.write(&chunk[..room.min(chunk.len())]) {
                        Ok(n) => {
                            c.sent += n;
                            progress |= n > 0;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(_) => break false,
                    }
                }
                if !progress {
                    break true;
                }
            };
            if !ok {
                errors += 1;
                all[i] = None;
            }
        }
    }
    Ok((counted as f64 / window.as_secs_f64(), errors))
}

#[derive(Serialize, Deserialize)]
struct Point {
    server: String,
    conns: usize,
    rps: f64,
    p99_ns: f64,
    errors: u64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    pinned: bool,
    window_s: f64,
    reps: usize,
    points: Vec<Point>,
    /// (server, echoed bytes/s, failed connections) with `STREAM_CONNS` streams.
    #[serde(default)]
    streams: Vec<(String, f64, u64)>,
}

fn conn_counts(quick: bool) -> Vec<usize> {
    if quick {
        vec![1, 10]
    } else {
        vec![1, 10, 100, 1_000]
    }
}

pub fn steps(quick: bool) -> u64 {
    conn_counts(quick).len() as u64 + 1
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    // Two or more CPUs: the server gets CPU 1, the load generator CPU 0, so
    // every server has exactly one core whatever its thread count.
    let pinned = ctx.cores >= 2;
    let window = ctx.pick(Duration::from_millis(1000), Duration::from_millis(200));
    let warm = ctx.pick(Duration::from_millis(250), Duration::from_millis(50));
    let reps = ctx.pick(3, 1);
    let mut points = Vec::new();
    let load_thread = |addr, conns| {
        std::thread::scope(|s| {
            s.spawn(|| {
                if pinned {
                    pin_to(0)?;
                }
                ping_pong(addr, conns, warm, window)
            })
            .join()
            .expect("load thread")
        })
    };
    for conns in conn_counts(ctx.quick) {
        // Servers alternate within each repetition, so a noisy moment on the
        // shared machine spreads over all of them.
        let mut runs: Vec<Vec<Load>> = SERVERS.iter().map(|_| Vec::new()).collect();
        for _ in 0..reps {
            for (k, (kind, _)) in SERVERS.iter().enumerate() {
                let server = Server::start(kind, pinned.then_some(1))?;
                runs[k].push(load_thread(server.addr, conns)?);
            }
        }
        for (k, (kind, _)) in SERVERS.iter().enumerate() {
            let rps = median_of_loads(&runs[k], |l| l.requests as f64 / l.seconds);
            let p99 = median_of_loads(&runs[k], |l| l.p99_ns);
            let errors = runs[k].iter().map(|l| l.errors).sum();
            points.push(Point {
                server: kind.to_string(),
                conns,
                rps,
                p99_ns: p99,
                errors,
            });
        }
        ctx.step(&format!("{conns} connections"));
    }
    // Streaming: bulk data both ways, where buffer sizes matter more than
    // wake-ups.
    let mut stream_runs: Vec<Vec<(f64, u64)>> = SERVERS.iter().map(|_| Vec::new()).collect();
    for _ in 0..reps {
        for (k, (kind, _)) in SERVERS.iter().enumerate() {
            let server = Server::start(kind, pinned.then_some(1))?;
            let addr = server.addr;
            let run = std::thread::scope(|s| {
                s.spawn(|| {
                    if pinned {
                        pin_to(0)?;
                    }
                    streaming(addr, STREAM_CONNS, warm, window)
                })
                .join()
                .expect("load thread")
            })?;
            stream_runs[k].push(run);
        }
    }
    let streams: Vec<(String, f64, u64)> = SERVERS
        .iter()
        .zip(&stream_runs)
        .map(|((kind, _), runs)| {
            let mut rates: Vec<f64> = runs.iter().map(|r| r.0).collect();
            rates.sort_by(f64::total_cmp);
            let errors = runs.iter().map(|r| r.1).sum();
            (kind.to_string(), rates[rates.len() / 2], errors)
        })
        .collect();
    ctx.step("streaming");
    let mut values = Values::default();
    for (kind, rate, _) in &streams {
        let key = kind.replace('-', "_");
        values.number(
            &format!("stream_{key}"),
            *rate,
            "B/s",
            format!("{} GB/s", sig(rate / 1e9, 3)),
        );
    }
    let stream_of = |k: &str| streams.iter().find(|s| s.0 == k).map(|s| s.1);
    if let (Some(m), Some(ct)) = (stream_of("mio"), stream_of("tokio-ct")) {
        values.ratio("stream_mio_vs_tokio_ct", m / ct);
    }
    let find = |server: &str, conns: usize| {
        points
            .iter()
            .find(|p| p.server == server && p.conns == conns)
    };
    let mut worst = f64::INFINITY;
    for conns in conn_counts(ctx.quick) {
        let (Some(m), Some(ct), Some(mt), Some(th)) = (
            find("mio", conns),
            find("tokio-ct", conns),
            find("tokio-mt", conns),
            find("thread", conns),
        ) else {
            continue;
        };
        values.ratio(&format!("mio_vs_tokio_ct_{conns}"), m.rps / ct.rps);
        values.ratio(
            &format!("mio_vs_best_tokio_{conns}"),
            m.rps / ct.rps.max(mt.rps),
        );
        values.ratio(&format!("thread_vs_mio_{conns}"), th.rps / m.rps);
        worst = worst.min(m.rps / ct.rps);
        for p in [m, ct, mt, th] {
            let key = p.server.replace('-', "_");
            values.number(
                &format!("rps_{key}_{conns}"),
                p.rps,
                "requests/s",
                format!("{} requests/s", thousands(p.rps.round())),
            );
            values.nanos(&format!("p99_{key}_{conns}"), p.p99_ns);
        }
    }
    values.ratio("mio_vs_tokio_ct_worst", worst);
    let errors: u64 =
        points.iter().map(|p| p.errors).sum::<u64>() + streams.iter().map(|s| s.2).sum::<u64>();
    values.number("errors", errors as f64, "", thousands(errors as f64));
    values.text("pinning", if pinned { "pinned" } else { "not pinned" });
    let data = Data {
        pinned,
        window_s: window.as_secs_f64(),
        reps,
        points,
        streams,
    };
    Recorded::new(values, data)
}

fn median_of_loads(loads: &[Load], f: impl Fn(&Load) -> f64) -> f64 {
    let mut v: Vec<f64> = loads.iter().map(f).collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        ">connections",
        "server",
        ">requests/s",
        ">p99 latency",
        ">÷ tokio current-thread",
        ">errors",
    ]);
    for p in &d.points {
        let ct = d
            .points
            .iter()
            .find(|q| q.server == "tokio-ct" && q.conns == p.conns)
            .map_or(f64::NAN, |q| q.rps);
        let name = SERVERS
            .iter()
            .find(|(k, _)| *k == p.server)
            .map_or(p.server.as_str(), |(_, n)| n);
        table.row(vec![
            thousands(p.conns as f64),
            name.to_string(),
            thousands(p.rps.round()),
            fmt_ns(p.p99_ns),
            format!("{}×", sig(p.rps / ct, 3)),
            p.errors.to_string(),
        ]);
    }
    let mut body = table.to_markdown();
    if !d.streams.is_empty() {
        let mut streams = Table::new(&[
            "server",
            ">echoed GB/s",
            ">÷ tokio current-thread",
            ">errors",
        ]);
        let ct = d
            .streams
            .iter()
            .find(|s| s.0 == "tokio-ct")
            .map_or(f64::NAN, |s| s.1);
        for (kind, rate, errors) in &d.streams {
            let name = SERVERS
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(kind.as_str(), |(_, n)| n);
            streams.row(vec![
                name.to_string(),
                sig(rate / 1e9, 3),
                format!("{}×", sig(rate / ct, 3)),
                errors.to_string(),
            ]);
        }
        body.push_str(&format!(
            "\nStreaming: {STREAM_CONNS} connections, each writing 64 KiB chunks with up to {} KiB in flight, reading the echo as it comes.\n\n",
            STREAM_WINDOW / 1024
        ));
        body.push_str(&streams.to_markdown());
    }
    let notes = format!(
        "Ping-pong: each connection sends {MESSAGE} bytes and waits for the echo before sending again; one load-generator thread (mio) drives all connections. Each server runs in its own process{}. {} s per run, median of {} runs, the servers alternating. Published anchor: a Python echo server alone, about {} requests/s (Skvortsov 2021, another machine, 1-byte messages).",
        if d.pinned {
            ", pinned to CPU 1 with the load generator on CPU 0, so every server has one core"
        } else {
            " (not pinned: fewer than two CPUs)"
        },
        sig(d.window_s, 2),
        d.reps,
        thousands(PYTHON_ANCHOR)
    );
    let counts: Vec<f64> = {
        let mut c: Vec<f64> = d.points.iter().map(|p| p.conns as f64).collect();
        c.dedup();
        c
    };
    let mut series: Vec<Series> = SERVERS
        .iter()
        .enumerate()
        .map(|(color, (kind, name))| Series {
            name: name.to_string(),
            points: d
                .points
                .iter()
                .filter(|p| p.server == *kind)
                .map(|p| (p.conns as f64, p.rps))
                .collect(),
            style: Style::Measured,
            color,
        })
        .collect();
    let top = d.points.iter().map(|p| p.rps).fold(0.0, f64::max);
    if let (Some(lo), Some(hi)) = (counts.first(), counts.last()) {
        series.push(Series {
            name: "Python echo server, published (Skvortsov 2021)".into(),
            points: vec![(*lo, PYTHON_ANCHOR), (*hi, PYTHON_ANCHOR)],
            style: Style::Reference,
            color: 0,
        });
        // Not drawn (one point, no name): head-room above the data, so the
        // legend has a corner of its own instead of covering the slow series.
        series.push(Series {
            name: String::new(),
            points: vec![(*lo, top * 12.0)],
            style: Style::Reference,
            color: 0,
        });
    }
    let rps_plot = LinePlot {
        title: "Echo servers on one core: 64-byte ping-pong",
        x_label: "concurrent connections (log scale)",
        y_label: "requests/s (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series,
    }
    .to_svg()?;
    let p99_series = SERVERS
        .iter()
        .enumerate()
        .map(|(color, (kind, name))| Series {
            name: name.to_string(),
            points: d
                .points
                .iter()
                .filter(|p| p.server == *kind)
                .map(|p| (p.conns as f64, p.p99_ns / 1e6))
                .collect(),
            style: Style::Measured,
            color,
        })
        .collect();
    let p99_plot = LinePlot {
        title: "Echo servers on one core: 99th-percentile round trip",
        x_label: "concurrent connections (log scale)",
        y_label: "p99 latency, ms (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series: p99_series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), rps_plot), ("-p99".into(), p99_plot)],
    })
}

//! Beazley's "Concurrency from the ground up" measurements on the Fibonacci
//! servers of Listings 6-22 to 6-26, driven by the load client of Listing
//! 6-27. Each server runs in a child process of its own (the experiments
//! binary re-executed), so a stalled server cannot stall the load client.

use crate::Recorded;
use crate::harness::ChildServer;
use crate::harness::{Ctx, Values, fmt_ns, sig, thousands};
use crate::render::{BarPlot, LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-27-fib-load/src/lib.rs"]
mod fib_load;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-24-mio-fib/src/lib.rs"]
mod fib_mio;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-26-offload-fib/src/lib.rs"]
mod fib_offload;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-23-pool-fib/src/lib.rs"]
mod fib_pool;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-22-thread-fib/src/lib.rs"]
mod fib_thread;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-25-tokio-fib/src/lib.rs"]
mod fib_tokio;

const CHILD: &str = "BOOK_CH06_FIB_SERVER";
/// The long request: several milliseconds of CPU in compiled Rust.
const LONG: u32 = 32;
const CLIENTS: [usize; 3] = [1, 2, 4];
/// Skvortsov (2021), a Python echo server (ANCHORS.md): alone, beside one
/// CPU-bound thread, and with the CPU work in another process.
const PY_ALONE: f64 = 30_000.0;
const PY_CPU_THREAD: f64 = 100.0;
const PY_CPU_PROCESS: f64 = 20_000.0;

const SERVERS: [(&str, &str); 6] = [
    ("threads", "thread per connection (6-22)"),
    ("pool", "threads + process pool (6-23)"),
    ("mio", "mio event loop (6-24)"),
    ("tokio-ct", "tokio current-thread (6-25)"),
    ("tokio-mt", "tokio multi-thread, 2 workers (6-25)"),
    ("tokio-blocking", "tokio + spawn_blocking (6-26)"),
];

/// In a child: a pool worker (Listing 6-23's processes are this binary too),
/// or a server that reports its address on stdout and serves until killed.
pub(crate) fn child_entry() -> Option<Result<()>> {
    if let Some(done) = fib_pool::worker_entry() {
        return Some(done.map_err(Into::into));
    }
    let kind = std::env::var(CHILD).ok()?;
    Some(child(&kind).with_context(|| format!("fib server child {kind:?}")))
}

fn child(kind: &str) -> Result<()> {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    match kind {
        "threads" => fib_thread::serve(listener)?,
        "pool" => fib_pool::serve(listener)?,
        "mio" => fib_mio::serve(listener)?,
        "tokio-ct" => fib_tokio::serve(listener)?,
        "tokio-mt" => fib_tokio::serve_multi_thread(listener, 2)?,
        "tokio-blocking" => fib_offload::serve(listener)?,
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

#[derive(Serialize, Deserialize, Default, Clone)]
struct Point {
    server: String,
    /// perf2: fib(1) requests/s, alone and beside one long-request client.
    rps_alone: f64,
    rps_long: f64,
    /// perf1: median latency of fib(LONG) with 1, 2, 4 clients, ns.
    perf1_ns: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
struct Data {
    long_n: u32,
    window_s: f64,
    reps: usize,
    cores: usize,
    clients: Vec<usize>,
    points: Vec<Point>,
}

pub fn steps(quick: bool) -> u64 {
    (SERVERS.len() * if quick { 1 } else { 2 }) as u64
}

fn measure(kind: &str, window: Duration) -> Result<Point> {
    let server = Server::start(kind)?;
    let addr = server.addr;
    // Warm up: threads, pool workers and caches.
    fib_load::perf2(addr, window / 4)?;
    let rps_alone = fib_load::perf2(addr, window)?;
    let rps_long = fib_load::with_long_requests(addr, LONG, || fib_load::perf2(addr, window))??;
    let mut perf1_ns = Vec::new();
    for clients in CLIENTS {
        let times = fib_load::perf1(addr, LONG, clients, window)?;
        perf1_ns.push(fib_load::median(&times).as_nanos() as f64);
    }
    Ok(Point {
        server: kind.into(),
        rps_alone,
        rps_long,
        perf1_ns,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let window = ctx.pick(Duration::from_millis(800), Duration::from_millis(120));
    let reps = ctx.pick(2, 1);
    // Servers alternate within each repetition, so a noisy moment on a shared
    // machine spreads over all of them.
    let mut runs: Vec<Vec<Point>> = SERVERS.iter().map(|_| Vec::new()).collect();
    for _ in 0..reps {
        for (k, (kind, _)) in SERVERS.iter().enumerate() {
            runs[k].push(measure(kind, window)?);
            ctx.step(kind);
        }
    }
    let points: Vec<Point> = runs
        .iter()
        .zip(SERVERS)
        .map(|(rs, (kind, _))| Point {
            server: kind.into(),
            rps_alone: median(rs.iter().map(|p| p.rps_alone).collect()),
            rps_long: median(rs.iter().map(|p| p.rps_long).collect()),
            perf1_ns: (0..CLIENTS.len())
                .map(|i| median(rs.iter().map(|p| p.perf1_ns[i]).collect()))
                .collect(),
        })
        .collect();
    let mut values = Values::default();
    for p in &points {
        let key = p.server.replace('-', "_");
        for (what, rps) in [("alone", p.rps_alone), ("long", p.rps_long)] {
            values.number(
                &format!("rps_{what}_{key}"),
                rps,
                "requests/s",
                format!("{} requests/s", thousands(rps)),
            );
        }
        values.ratio(&format!("drop_{key}"), p.rps_alone / p.rps_long);
        for (i, c) in CLIENTS.iter().enumerate() {
            values.nanos(&format!("perf1_{key}_{c}"), p.perf1_ns[i]);
        }
        values.ratio(
            &format!("perf1_growth_{key}"),
            p.perf1_ns[CLIENTS.len() - 1] / p.perf1_ns[0],
        );
    }
    values.number("long_n", LONG as f64, "", LONG.to_string());
    values.number("cores", ctx.cores as f64, "", ctx.cores.to_string());
    let data = Data {
        long_n: LONG,
        window_s: window.as_secs_f64(),
        reps,
        cores: ctx.cores,
        clients: CLIENTS.to_vec(),
        points,
    };
    Recorded::new(values, data)
}

fn name_of(kind: &str) -> &str {
    SERVERS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, n)| n)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut header = vec![
        "server",
        ">perf2 alone (req/s)",
        ">perf2 beside a long request",
        ">drop",
    ];
    let perf1_cols: Vec<String> = d
        .clients
        .iter()
        .map(|c| format!(">perf1, {c} client{}", if *c == 1 { "" } else { "s" }))
        .collect();
    header.extend(perf1_cols.iter().map(String::as_str));
    let mut table = Table::new(&header);
    for p in &d.points {
        let mut row = vec![
            name_of(&p.server).to_string(),
            thousands(p.rps_alone),
            thousands(p.rps_long),
            format!("{}×", sig(p.rps_alone / p.rps_long, 3)),
        ];
        row.extend(p.perf1_ns.iter().map(|ns| fmt_ns(*ns)));
        table.row(row);
    }
    let dash = || "–".to_string();
    for (name, alone, long) in [
        (
            "Python echo, one CPU thread beside (published)",
            PY_ALONE,
            PY_CPU_THREAD,
        ),
        (
            "Python echo, CPU work in a process (published)",
            PY_ALONE,
            PY_CPU_PROCESS,
        ),
    ] {
        let mut row = vec![
            name.to_string(),
            thousands(alone),
            thousands(long),
            format!("{}×", sig(alone / long, 3)),
        ];
        row.extend(d.clients.iter().map(|_| dash()));
        table.row(row);
    }
    let notes = format!(
        "perf2: one connection sends fib(1) in a tight loop for {} s, alone and while another connection sends fib({}) requests back to back. perf1: 1, 2 or 4 connections each send fib({}) back to back; median latency. Each server runs in its own process on all {} CPUs, shared with the load client; median of {} runs, servers alternating. The Python rows are Skvortsov's (2021) echo-server figures on another machine, the closest published anchor for Beazley's talk, whose own numbers are not in his repository.",
        sig(d.window_s, 2),
        d.long_n,
        d.long_n,
        d.cores,
        d.reps,
    );
    let mut bars = Vec::new();
    for p in &d.points {
        bars.push((format!("{}: alone", name_of(&p.server)), p.rps_alone));
        bars.push((
            format!("{}: beside fib({})", name_of(&p.server), d.long_n),
            p.rps_long,
        ));
    }
    bars.push(("Python echo, alone (Skvortsov 2021)".into(), PY_ALONE));
    bars.push((
        "Python echo, beside a CPU thread (Skvortsov 2021)".into(),
        PY_CPU_THREAD,
    ));
    let perf2 = BarPlot {
        title: "perf2: short requests per second, alone and beside a long request",
        x_label: "fib(1) requests/s (log scale)",
        bars,
    }
    .to_svg()?;
    let mut series: Vec<Series> = d
        .points
        .iter()
        .enumerate()
        .map(|(color, p)| Series {
            name: name_of(&p.server).to_string(),
            points: d
                .clients
                .iter()
                .zip(&p.perf1_ns)
                .map(|(c, ns)| (*c as f64, ns / 1e6))
                .collect(),
            style: Style::Measured,
            color,
        })
        .collect();
    // One request at a time: k clients wait k times as long as one.
    if let Some(base) = d
        .points
        .iter()
        .find(|p| p.server == "mio")
        .and_then(|p| p.perf1_ns.first())
    {
        series.push(Series {
            name: "fully serial: k × one request".into(),
            points: d
                .clients
                .iter()
                .map(|c| (*c as f64, *c as f64 * base / 1e6))
                .collect(),
            style: Style::Reference,
            color: 0,
        });
    }
    let perf1 = LinePlot {
        title: "perf1: latency of a long request against concurrent long requests",
        x_label: "concurrent long-request clients",
        y_label: "median latency of fib(32), ms",
        log_x: false,
        log_y: false,
        x_format: Some(crate::render::integer_ticks),
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), perf2), ("-perf1".into(), perf1)],
    })
}

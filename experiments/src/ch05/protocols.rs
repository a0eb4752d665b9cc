//! What a remote call costs: the same tiny request (add two numbers) behind
//! four stacks on loopback — raw TCP with length-prefixed postcard frames,
//! REST (axum server, reqwest client, JSON, keep-alive), RPC (tarpc over TCP
//! with bincode) and ZeroMQ request/reply (REQ clients, one ROUTER server
//! thread) — with 1, 10 and 100 concurrent clients, each client on its own
//! connection, each sending its next request when the last one is answered.
//!
//! The servers are minimal ones built here on the listings' stacks, not the
//! listings themselves: no validation, limits or logging beyond a frame cap,
//! so the table shows what each layer itself costs.

use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, sig, thousands};
use crate::render::{BarPlot, LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context as _, Result, bail};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

const CLIENTS: [usize; 3] = [1, 10, 100];
/// Largest frame the raw TCP server and client accept.
const MAX_FRAME: usize = 1024;

#[derive(Serialize, Deserialize)]
struct Add {
    a: u64,
    b: u64,
}

#[derive(Serialize, Deserialize)]
struct Sum {
    sum: u64,
}

#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
enum Proto {
    Tcp,
    Rest,
    Rpc,
    Zmq,
}

const PROTOS: [Proto; 4] = [Proto::Tcp, Proto::Rest, Proto::Rpc, Proto::Zmq];

impl Proto {
    fn label(self) -> &'static str {
        match self {
            Proto::Tcp => "raw TCP + postcard",
            Proto::Rest => "REST (axum + reqwest)",
            Proto::Rpc => "RPC (tarpc, bincode)",
            Proto::Zmq => "ZeroMQ REQ/ROUTER",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Rest => "rest",
            Proto::Rpc => "rpc",
            Proto::Zmq => "zmq",
        }
    }
}

// ---------------------------------------------------------------- servers

async fn read_frame(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(std::io::Error::other("frame over the cap"));
    }
    let mut payload = vec![0; len];
    stream.read_exact(&mut payload).await?;
    Ok(payload)
}

/// A length prefix and the payload, built whole so one write sends it.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

async fn tcp_connection(mut stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    loop {
        let payload = match read_frame(&mut stream).await {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let Add { a, b } = postcard::from_bytes(&payload)?;
        let reply = postcard::to_allocvec(&Sum {
            sum: a.wrapping_add(b),
        })?;
        stream.write_all(&frame(&reply)).await?;
    }
}

async fn tcp_server(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(tcp_connection(stream));
    }
}

async fn rest_add(axum::Json(Add { a, b }): axum::Json<Add>) -> axum::Json<Sum> {
    axum::Json(Sum {
        sum: a.wrapping_add(b),
    })
}

#[tarpc::service]
trait Adder {
    async fn add(a: u64, b: u64) -> u64;
}

#[derive(Clone)]
struct AdderServer;

impl Adder for AdderServer {
    async fn add(self, _: tarpc::context::Context, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
}

fn rpc_codec() -> tarpc::tokio_util::codec::LengthDelimitedCodec {
    tarpc::tokio_util::codec::LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec()
}

async fn rpc_server(listener: TcpListener) {
    use tarpc::server::{BaseChannel, Channel};
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let framed = tarpc::tokio_util::codec::Framed::new(stream, rpc_codec());
        let transport =
            tarpc::serde_transport::new(framed, tarpc::tokio_serde::formats::Bincode::default());
        tokio::spawn(
            BaseChannel::with_defaults(transport)
                .execute(AdderServer.serve())
                .for_each(|request| async {
                    tokio::spawn(request);
                }),
        );
    }
}

/// One thread, one ROUTER socket: envelopes in, envelopes out. ZeroMQ's own
/// I/O thread does the socket work behind it.
fn zmq_server(socket: zmq::Socket, stop: Arc<AtomicBool>) -> Result<()> {
    socket.set_rcvtimeo(50)?;
    while !stop.load(Ordering::Relaxed) {
        let parts = match socket.recv_multipart(0) {
            Ok(parts) => parts,
            Err(zmq::Error::EAGAIN) => continue,
            Err(e) => return Err(e.into()),
        };
        let [id, empty, payload] = parts.as_slice() else {
            continue; // not a REQ envelope: drop it
        };
        let Add { a, b } = postcard::from_bytes(payload)?;
        let reply = postcard::to_allocvec(&Sum {
            sum: a.wrapping_add(b),
        })?;
        socket.send_multipart([id.as_slice(), empty.as_slice(), &reply], 0)?;
    }
    Ok(())
}

/// The four servers, each started once and kept for every measurement.
struct Servers {
    runtime: Runtime,
    tcp: String,
    rest: String,
    rpc: String,
    zmq: String,
    zmq_context: zmq::Context,
    zmq_stop: Arc<AtomicBool>,
    zmq_thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Servers {
    fn start(threads: usize) -> Result<Servers> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("server")
            .enable_all()
            .build()?;
        let (tcp, rest, rpc) = runtime.block_on(async {
            let bind = || TcpListener::bind("127.0.0.1:0");
            let (t, r, p) = (bind().await?, bind().await?, bind().await?);
            let addrs = (t.local_addr()?, r.local_addr()?, p.local_addr()?);
            tokio::spawn(tcp_server(t));
            let app = axum::Router::new().route("/add", axum::routing::post(rest_add));
            tokio::spawn(async move { axum::serve(r, app).await });
            tokio::spawn(rpc_server(p));
            anyhow::Ok(addrs)
        })?;
        let zmq_context = zmq::Context::new();
        let socket = zmq_context.socket(zmq::ROUTER)?;
        socket.set_linger(0)?;
        socket.bind("tcp://127.0.0.1:*")?;
        let zmq = socket
            .get_last_endpoint()?
            .map_err(|_| anyhow::anyhow!("endpoint is not UTF-8"))?;
        let zmq_stop = Arc::new(AtomicBool::new(false));
        let stop = zmq_stop.clone();
        let zmq_thread = std::thread::spawn(move || zmq_server(socket, stop));
        Ok(Servers {
            runtime,
            tcp: tcp.to_string(),
            rest: format!("http://{rest}/add"),
            rpc: rpc.to_string(),
            zmq,
            zmq_context,
            zmq_stop,
            zmq_thread: Some(zmq_thread),
        })
    }

    fn stop(mut self) -> Result<()> {
        self.zmq_stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.zmq_thread.take() {
            t.join()
                .map_err(|_| anyhow::anyhow!("zmq server panicked"))??;
        }
        drop(self.zmq_context);
        self.runtime.shutdown_timeout(Duration::from_secs(1));
        Ok(())
    }
}

// ---------------------------------------------------------------- clients

/// When one run starts counting and when it stops.
#[derive(Clone, Copy)]
struct Window {
    from: Instant,
    until: Instant,
}

/// What one client saw inside the window: latencies in nanoseconds.
type Seen = Result<Vec<u64>>;

/// Sends requests back to back until the window closes, timing each one
/// that starts inside it. `$call` is an expression using `$n`, awaited
/// for the sum. (A macro, not a function taking an async closure: tokio's
/// `spawn` cannot yet prove such closures' futures `Send`.)
macro_rules! client_loop {
    ($window:expr, |$n:ident| $call:expr) => {{
        let window: Window = $window;
        let mut latencies = Vec::new();
        let mut $n = 0u64;
        loop {
            let start = Instant::now();
            if start >= window.until {
                break Ok(latencies);
            }
            $n += 1;
            let sum: u64 = tokio::time::timeout(Duration::from_secs(10), async { $call })
                .await
                .context("no answer within 10 s")??;
            if sum != $n + 1 {
                bail!("wrong answer {sum} for {} + 1", $n);
            }
            if start >= window.from {
                latencies.push(start.elapsed().as_nanos() as u64);
            }
        }
    }};
}

async fn tcp_client(addr: String, window: Window) -> Seen {
    let mut stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    client_loop!(window, |n| {
        let request = postcard::to_allocvec(&Add { a: n, b: 1 })?;
        stream.write_all(&frame(&request)).await?;
        let reply: Sum = postcard::from_bytes(&read_frame(&mut stream).await?)?;
        anyhow::Ok(reply.sum)
    })
}

async fn rest_client(url: String, window: Window) -> Seen {
    // One client per simulated user: its own pool, so its own connection,
    // kept alive between requests.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    client_loop!(window, |n| {
        let request = http.post(&url).json(&Add { a: n, b: 1 });
        let response = request.send().await?.error_for_status()?;
        anyhow::Ok(response.json::<Sum>().await?.sum)
    })
}

async fn rpc_client(addr: String, window: Window) -> Seen {
    let stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let framed = tarpc::tokio_util::codec::Framed::new(stream, rpc_codec());
    let transport =
        tarpc::serde_transport::new(framed, tarpc::tokio_serde::formats::Bincode::default());
    let client = AdderClient::new(tarpc::client::Config::default(), transport).spawn();
    client_loop!(window, |n| {
        anyhow::Ok(client.add(tarpc::context::current(), n, 1).await?)
    })
}

fn zmq_client(context: &zmq::Context, endpoint: &str, window: Window) -> Seen {
    let socket = context.socket(zmq::REQ)?;
    socket.set_linger(0)?;
    socket.set_rcvtimeo(10_000)?; // a lost reply ends the run instead of hanging it
    socket.connect(endpoint)?;
    let mut latencies = Vec::new();
    let mut n = 0u64;
    loop {
        let start = Instant::now();
        if start >= window.until {
            return Ok(latencies);
        }
        n += 1;
        socket.send(postcard::to_allocvec(&Add { a: n, b: 1 })?, 0)?;
        let reply: Sum = postcard::from_bytes(&socket.recv_bytes(0)?)?;
        if reply.sum != n + 1 {
            bail!("wrong answer {} for {n} + 1", reply.sum);
        }
        if start >= window.from {
            latencies.push(start.elapsed().as_nanos() as u64);
        }
    }
}

/// Runs `clients` clients of `proto` for `warm + measure`; returns the
/// requests per second inside the measured part and every latency.
fn run_cell(
    servers: &Servers,
    clients_rt: &Runtime,
    proto: Proto,
    clients: usize,
    warm: Duration,
    measure: Duration,
) -> Result<(f64, Vec<u64>)> {
    let now = Instant::now();
    // Connecting 100 clients takes a moment: start the clock after it.
    let window = Window {
        from: now + warm,
        until: now + warm + measure,
    };
    let seen: Vec<Seen> = match proto {
        Proto::Zmq => std::thread::scope(|s| {
            let handles: Vec<_> = (0..clients)
                .map(|_| s.spawn(|| zmq_client(&servers.zmq_context, &servers.zmq, window)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("client panicked")))
                })
                .collect()
        }),
        _ => clients_rt.block_on(async {
            let tasks: Vec<_> = (0..clients)
                .map(|_| match proto {
                    Proto::Tcp => tokio::spawn(tcp_client(servers.tcp.clone(), window)),
                    Proto::Rest => tokio::spawn(rest_client(servers.rest.clone(), window)),
                    _ => tokio::spawn(rpc_client(servers.rpc.clone(), window)),
                })
                .collect();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap_or_else(|e| Err(e.into())));
            }
            out
        }),
    };
    let mut all = Vec::new();
    for s in seen {
        all.extend(s.with_context(|| format!("{proto:?} with {clients} clients"))?);
    }
    let rate = all.len() as f64 / measure.as_secs_f64();
    Ok((rate, all))
}

// ---------------------------------------------------------------- results

#[derive(Serialize, Deserialize)]
struct Cell {
    proto: Proto,
    clients: usize,
    /// Requests per second: the median over the rounds.
    rate: f64,
    rate_min: f64,
    rate_max: f64,
    /// Latency percentiles over every request of every round, in ns.
    p50: f64,
    p99: f64,
    requests: u64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    rounds: usize,
    seconds_per_round: f64,
    server_threads: usize,
    cells: Vec<Cell>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64
}

pub fn steps(quick: bool) -> u64 {
    let rounds = if quick { 1 } else { 3 };
    (CLIENTS.len() * PROTOS.len() * rounds) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let rounds = ctx.pick(3, 1);
    let warm = Duration::from_millis(ctx.pick(250, 50));
    let measure = Duration::from_millis(ctx.pick(750, 120));
    let threads = ctx.cores.max(1);
    let servers = Servers::start(threads)?;
    let clients_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("client")
        .enable_all()
        .build()?;
    let mut cells = Vec::new();
    for clients in CLIENTS {
        let mut rates = vec![Vec::new(); PROTOS.len()];
        let mut latencies = vec![Vec::new(); PROTOS.len()];
        // Rounds interleave the protocols, so drift on a shared machine
        // falls on all four alike.
        for _ in 0..rounds {
            for (i, &proto) in PROTOS.iter().enumerate() {
                let (rate, lat) = run_cell(&servers, &clients_rt, proto, clients, warm, measure)?;
                rates[i].push(rate);
                latencies[i].extend(lat);
                ctx.step(&format!("{} x {clients}", proto.key()));
            }
        }
        for (i, &proto) in PROTOS.iter().enumerate() {
            let r = &mut rates[i];
            r.sort_by(f64::total_cmp);
            let l = &mut latencies[i];
            l.sort_unstable();
            cells.push(Cell {
                proto,
                clients,
                rate: r[r.len() / 2],
                rate_min: r[0],
                rate_max: r[r.len() - 1],
                p50: percentile(l, 0.50),
                p99: percentile(l, 0.99),
                requests: l.len() as u64,
            });
        }
    }
    drop(clients_rt);
    servers.stop()?;

    let mut values = Values::default();
    let cell = |p: Proto, c: usize| cells.iter().find(|x| x.proto == p && x.clients == c);
    for c in &cells {
        let k = format!("{}_{}", c.proto.key(), c.clients);
        values.number(
            &format!("{k}_rate"),
            c.rate,
            "requests/s",
            format!("{} requests/s", thousands(c.rate)),
        );
        values.nanos(&format!("{k}_p50"), c.p50);
        values.nanos(&format!("{k}_p99"), c.p99);
    }
    for clients in CLIENTS {
        if let Some(tcp) = cell(Proto::Tcp, clients) {
            for p in [Proto::Rest, Proto::Rpc, Proto::Zmq] {
                if let Some(other) = cell(p, clients) {
                    // How many times slower than raw TCP, by throughput.
                    values.ratio(
                        &format!("tcp_over_{}_{clients}", p.key()),
                        tcp.rate / other.rate,
                    );
                    values.ratio(
                        &format!("{}_p50_over_tcp_{clients}", p.key()),
                        other.p50 / tcp.p50,
                    );
                }
            }
        }
    }
    let best = cells
        .iter()
        .max_by(|a, b| a.rate.total_cmp(&b.rate))
        .context("no cells")?;
    values.text("fastest", best.proto.label());
    values.number(
        "server_threads",
        threads as f64,
        "threads",
        threads.to_string(),
    );
    let data = Data {
        rounds,
        seconds_per_round: measure.as_secs_f64(),
        server_threads: threads,
        cells,
    };
    Recorded::new(values, data)
}

/// Published figures drawn beside ours (ANCHORS.md).
const HYPER_HELLO: f64 = 152_258.0; // tokio.rs blog, Oct 2019: 4 workers, wrk -t1 -c50
const IPC_BENCH_TCP: f64 = 70_221.0; // goldsborough/ipc-bench, 100 B ping-pong
const IPC_BENCH_ZMQ: f64 = 24_901.0;

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "stack",
        ">clients",
        ">requests/s",
        ">range over rounds",
        ">p50",
        ">p99",
        ">raw TCP ÷ this",
    ]);
    let tcp_rate = |c: usize| {
        d.cells
            .iter()
            .find(|x| x.proto == Proto::Tcp && x.clients == c)
            .map(|x| x.rate)
    };
    for proto in PROTOS {
        for c in d.cells.iter().filter(|x| x.proto == proto) {
            table.row(vec![
                proto.label().to_string(),
                c.clients.to_string(),
                thousands(c.rate),
                format!("{}–{}", thousands(c.rate_min), thousands(c.rate_max)),
                fmt_ns(c.p50),
                fmt_ns(c.p99),
                tcp_rate(c.clients)
                    .map(|t| format!("{}×", sig(t / c.rate, 3)))
                    .unwrap_or_default(),
            ]);
        }
    }
    table.row(vec![
        "*hyper hello world (Tokio blog, 2019)*".into(),
        "50".into(),
        thousands(HYPER_HELLO),
        "4 workers, wrk".into(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    for (name, v) in [
        ("*ipc-bench TCP, 100 B (i5-4590S)*", IPC_BENCH_TCP),
        ("*ipc-bench ZeroMQ, 100 B*", IPC_BENCH_ZMQ),
    ] {
        table.row(vec![
            name.into(),
            "1".into(),
            thousands(v),
            "ping-pong".into(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    let notes = format!(
        "One request adds two numbers. Each client has its own connection and sends its next request when the last is answered. Servers on a {}-thread tokio runtime (ZeroMQ: one ROUTER thread plus libzmq's I/O thread), clients on another runtime (ZeroMQ: a thread per client), same machine. Requests/s: median of {} rounds of {} s, protocols interleaved; latencies pooled over the rounds. Rows in italics are published figures from other machines (hyper: 4 workers, wrk with 50 connections; ipc-bench: one ping-pong pair, bare metal).",
        d.server_threads,
        d.rounds,
        sig(d.seconds_per_round, 2)
    );
    let x_max = *CLIENTS.last().unwrap_or(&100) as f64;
    let mut series: Vec<Series> = PROTOS
        .iter()
        .enumerate()
        .map(|(i, &p)| Series {
            name: p.label().into(),
            points: d
                .cells
                .iter()
                .filter(|c| c.proto == p)
                .map(|c| (c.clients as f64, c.rate))
                .collect(),
            style: Style::Measured,
            color: i,
        })
        .collect();
    for (i, (name, v)) in [
        ("hyper hello world, 4 workers (Tokio blog)", HYPER_HELLO),
        ("ipc-bench TCP ping-pong", IPC_BENCH_TCP),
        ("ipc-bench ZeroMQ ping-pong", IPC_BENCH_ZMQ),
    ]
    .into_iter()
    .enumerate()
    {
        series.push(Series {
            name: name.into(),
            points: vec![(1.0, v), (x_max, v)],
            style: Style::Reference,
            color: i,
        });
    }
    let rate_plot = LinePlot {
        title: "Requests per second on loopback, by stack and concurrent clients",
        x_label: "concurrent clients (log scale)",
        y_label: "requests/s (log scale)",
        log_x: true,
        log_y: true,
        x_format: Some(crate::render::integer_ticks),
        series,
    }
    .to_svg()?;
    let bars = d
        .cells
        .iter()
        .filter(|c| c.clients == 1 || c.clients == x_max as usize)
        .map(|c| {
            let who = if c.clients == 1 {
                "1 client".to_string()
            } else {
                format!("{} clients", c.clients)
            };
            (format!("{}, {who}", c.proto.label()), c.p99 / 1e3)
        })
        .collect();
    let p99_plot = BarPlot {
        title: "p99 latency per request",
        x_label: "microseconds (log scale)",
        bars,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), rate_plot), ("-p99".to_string(), p99_plot)],
    })
}

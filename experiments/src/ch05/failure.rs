//! Failure detection and recovery: how soon a timeout detector notices a
//! dead peer and how often it wrongly suspects a live one, for several
//! heartbeat intervals and timeouts (Listing 5-28); and how long a client of
//! the three-node store (Listing 5-26) takes to get a write through after
//! the node it talks to dies, refusing connections or silently.

#[allow(dead_code)]
#[path = "../../../listings/ch05/listing-05-28-heartbeats/src/lib.rs"]
mod heartbeats;
#[allow(dead_code)]
#[path = "../../../listings/ch05/listing-05-26-replicated-kv/src/lib.rs"]
mod kv;

use crate::Recorded;
use crate::harness::{Ctx, Values, sig};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::net::{TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const KS: [u32; 4] = [2, 3, 5, 8];

#[derive(Serialize, Deserialize)]
struct Point {
    interval_ms: f64,
    k: u32,
    timeout_ms: f64,
    false_suspicions: u32,
    /// None: not detected within the patience allowed.
    detected_ms: Option<f64>,
}

#[derive(Serialize, Deserialize)]
struct Data {
    beats: u64,
    stall_chance: f64,
    points: Vec<Point>,
    normal_ms: f64,
    refused_ms: f64,
    silent_ms: f64,
    client_timeout_ms: f64,
}

fn intervals(quick: bool) -> Vec<u64> {
    if quick {
        vec![10, 50]
    } else {
        vec![10, 50, 200]
    }
}

pub fn steps(quick: bool) -> u64 {
    intervals(quick).len() as u64 + 1
}

/// A stall of 1 to 5 intervals before one beat in ten, chosen by a hash of
/// the beat number so every run stalls at the same beats.
fn stall(n: u64, interval: Duration) -> Duration {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    if x.is_multiple_of(10) {
        interval * (1 + (x / 10 % 5) as u32)
    } else {
        Duration::ZERO
    }
}

fn detect(interval_ms: u64, beats: u64) -> Result<Vec<Point>> {
    let interval = Duration::from_millis(interval_ms);
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    let to = socket.local_addr()?;
    let timeouts: Vec<Duration> = KS.iter().map(|&k| interval * k).collect();
    let (stop, died) = (AtomicBool::new(false), Mutex::new(None));
    let reports = thread::scope(|s| {
        let (stop, died) = (&stop, &died);
        s.spawn(move || {
            thread::scope(|p| {
                let sender = p.spawn(|| {
                    heartbeats::send_heartbeats(to, interval, stop, |n| stall(n + 1, interval))
                });
                // Runs long enough for `beats` beats plus the stalls.
                let stalls: Duration = (0..beats).map(|n| stall(n + 1, interval)).sum();
                thread::sleep(interval * beats as u32 + stalls);
                stop.store(true, Ordering::Relaxed);
                *died.lock().unwrap() = Some(Instant::now());
                sender.join().unwrap()
            })
        });
        heartbeats::watch(&socket, &timeouts, died, interval * 20)
    })?;
    Ok(reports
        .into_iter()
        .zip(KS)
        .map(|(r, k)| Point {
            interval_ms: interval_ms as f64,
            k,
            timeout_ms: r.timeout.as_secs_f64() * 1e3,
            false_suspicions: r.false_suspicions,
            detected_ms: r.detected_after.map(|d| d.as_secs_f64() * 1e3),
        })
        .collect())
}

/// Median time of one write after `break_node` breaks node 0, over `reps`.
fn recovery(
    reps: usize,
    break_node: &dyn Fn(&[AtomicBool; 3]) -> Option<TcpListener>,
) -> Result<f64> {
    let mut times = Vec::new();
    for rep in 0..reps {
        let dir = std::env::temp_dir().join(format!("failure-exp-{}-{rep}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let listeners: Vec<TcpListener> = (0..3)
            .map(|_| TcpListener::bind("127.0.0.1:0"))
            .collect::<std::io::Result<_>>()?;
        let addrs: Vec<_> = listeners
            .iter()
            .map(|l| l.local_addr())
            .collect::<std::io::Result<_>>()?;
        let stops = [(); 3].map(|_| AtomicBool::new(false));
        let elapsed = thread::scope(|s| -> Result<f64> {
            for (i, listener) in listeners.into_iter().enumerate() {
                let peers = (0..3).filter(|&j| j != i).map(|j| addrs[j]).collect();
                let store = kv::Store::open(&dir.join(format!("{i}.log")))?;
                let node = Arc::new(kv::Node {
                    peers,
                    store: Mutex::new(store),
                });
                let stop = &stops[i];
                s.spawn(move || kv::serve(listener, node, stop));
            }
            let mut client = kv::Client::new(addrs.clone());
            client.put("warm", 1, "up").map_err(anyhow::Error::msg)?;
            let hole = break_node(&stops);
            let start = Instant::now();
            client.put("after", 1, "x").map_err(anyhow::Error::msg)?;
            let took = start.elapsed().as_secs_f64() * 1e3;
            drop(hole);
            for stop in &stops {
                stop.store(true, Ordering::Relaxed);
            }
            Ok(took)
        })?;
        std::fs::remove_dir_all(&dir)?;
        times.push(elapsed);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let beats = ctx.pick(40, 12);
    let mut points = Vec::new();
    for interval in intervals(ctx.quick) {
        points.extend(detect(interval, beats)?);
        ctx.step(&format!("heartbeats every {interval} ms"));
    }
    let reps = ctx.pick(5, 1);
    let normal_ms = recovery(reps, &|_| None)?;
    // Node 0 stops: its port refuses connections at once.
    let refused_ms = recovery(reps, &|stops| {
        stops[0].store(true, Ordering::Relaxed);
        thread::sleep(Duration::from_millis(20)); // its accept loop notices
        None
    })?;
    // Node 0 hangs: its port accepts and never answers (a stuck process).
    let silent_ms = silent_recovery(reps)?;
    ctx.step("client recovery");
    let client_timeout_ms = kv::Client::new(vec![]).timeout.as_secs_f64() * 1e3;
    let mut values = Values::default();
    let ms = |v: f64| format!("{} ms", sig(v, 3));
    let at = |i: f64, k: u32| points.iter().find(|p| p.interval_ms == i && p.k == k);
    if let Some(p) = at(50.0, 2) {
        values.number(
            "false_50_k2",
            p.false_suspicions as f64,
            "count",
            p.false_suspicions.to_string(),
        );
    }
    if let Some(p) = at(50.0, 8) {
        values.number(
            "false_50_k8",
            p.false_suspicions as f64,
            "count",
            p.false_suspicions.to_string(),
        );
        if let Some(d) = p.detected_ms {
            values.number("detect_50_k8", d, "ms", ms(d));
        }
    }
    if let Some(d) = at(10.0, 2).and_then(|p| p.detected_ms) {
        values.number("detect_10_k2", d, "ms", ms(d));
    }
    values.number("normal_ms", normal_ms, "ms", ms(normal_ms));
    values.number("refused_ms", refused_ms, "ms", ms(refused_ms));
    values.number("silent_ms", silent_ms, "ms", ms(silent_ms));
    values.ratio("silent_vs_refused", silent_ms / refused_ms);
    let data = Data {
        beats,
        stall_chance: 0.1,
        points,
        normal_ms,
        refused_ms,
        silent_ms,
        client_timeout_ms,
    };
    Recorded::new(values, data)
}

/// A client whose first node is a black hole (accepts, never answers).
fn silent_recovery(reps: usize) -> Result<f64> {
    let mut times = Vec::new();
    for rep in 0..reps {
        let dir = std::env::temp_dir().join(format!("failure-silent-{}-{rep}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let hole = TcpListener::bind("127.0.0.1:0")?; // backlog accepts; nobody reads
        let listeners: Vec<TcpListener> = (0..3)
            .map(|_| TcpListener::bind("127.0.0.1:0"))
            .collect::<std::io::Result<_>>()?;
        let addrs: Vec<_> = listeners
            .iter()
            .map(|l| l.local_addr())
            .collect::<std::io::Result<_>>()?;
        let stops = [(); 3].map(|_| AtomicBool::new(false));
        let took = thread::scope(|s| -> Result<f64> {
            for (i, listener) in listeners.into_iter().enumerate() {
                let peers = (0..3).filter(|&j| j != i).map(|j| addrs[j]).collect();
                let store = kv::Store::open(&dir.join(format!("{i}.log")))?;
                let node = Arc::new(kv::Node {
                    peers,
                    store: Mutex::new(store),
                });
                let stop = &stops[i];
                s.spawn(move || kv::serve(listener, node, stop));
            }
            let mut list = vec![hole.local_addr()?];
            list.extend(&addrs[1..]);
            let mut client = kv::Client::new(list);
            let start = Instant::now();
            client.put("after", 1, "x").map_err(anyhow::Error::msg)?;
            let took = start.elapsed().as_secs_f64() * 1e3;
            for stop in &stops {
                stop.store(true, Ordering::Relaxed);
            }
            Ok(took)
        })?;
        std::fs::remove_dir_all(&dir)?;
        times.push(took);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        ">heartbeat interval",
        ">timeout",
        ">false suspicions",
        ">death noticed after",
    ]);
    let ms = |v: f64| format!("{} ms", sig(v, 3));
    for p in &d.points {
        table.row(vec![
            ms(p.interval_ms),
            format!("{} ({}×)", ms(p.timeout_ms), p.k),
            p.false_suspicions.to_string(),
            p.detected_ms.map_or("not within 20 intervals".into(), ms),
        ]);
    }
    let mut recovery = Table::new(&["node 0 (the client's first choice)", ">one write took"]);
    recovery.row(vec!["alive".into(), ms(d.normal_ms)]);
    recovery.row(vec!["stopped: connection refused".into(), ms(d.refused_ms)]);
    recovery.row(vec!["hung: accepts, never answers".into(), ms(d.silent_ms)]);
    let notes = format!(
        "Heartbeats over loopback UDP for {} intervals; before one beat in ten the sender stalls for 1 to 5 intervals (the same beats every run), then it dies. One detector per timeout watches the same stream. Recovery: Listing 5-26's client (timeout {}) writing to three nodes on loopback threads, median of several runs.",
        d.beats,
        ms(d.client_timeout_ms)
    );
    let mut series = Vec::new();
    for (c, interval) in [10.0, 50.0, 200.0].into_iter().enumerate() {
        let pts: Vec<(f64, f64)> = (d.points.iter())
            .filter(|p| p.interval_ms == interval)
            .filter_map(|p| Some((p.timeout_ms, p.detected_ms?)))
            .collect();
        if !pts.is_empty() {
            series.push(Series {
                name: format!("heartbeat every {interval} ms"),
                points: pts,
                style: Style::Measured,
                color: c,
            });
        }
    }
    let (lo, hi) = (d.points.iter()).fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(p.timeout_ms), hi.max(p.timeout_ms))
    });
    series.push(Series {
        name: "detection = timeout (the floor)".into(),
        points: vec![(lo, lo), (hi, hi)],
        style: Style::Reference,
        color: 5,
    });
    let plot = LinePlot {
        title: "How soon a timeout detector notices a dead peer",
        x_label: "timeout, ms (log scale)",
        y_label: "death noticed after, ms (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series,
    }
    .to_svg()?;
    let body = format!("{}\n\n{}", table.to_markdown(), recovery.to_markdown());
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), plot)],
    })
}

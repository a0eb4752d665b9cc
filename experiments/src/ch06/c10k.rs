//! Ten thousand connections: the chapter's echo servers (thread per
//! connection, the mio loop, tokio current-thread and multi-thread) each hold
//! 1,000 and 10,000 idle connections in a child process of their own. The
//! experiment reads what that costs (the server's resident memory and thread
//! count, the kernel's slab caches and thread stacks), then drives 100 more
//! connections with ping-pong while the idle ones stay open.
//!
//! The server processes are `echo`'s; the load generator is `echo`'s too. This
//! process is the client: it raises its descriptor limit (the children inherit
//! it), since each side holds one descriptor per connection.

use super::echo::{SERVERS, Server, pin_to, ping_pong};
use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, sig, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Connections that exchange messages while the others sit idle.
const ACTIVE: usize = 100;
/// Rust's default stack for a spawned thread (reserved, not touched).
const THREAD_STACK: f64 = 2.0 * 1024.0 * 1024.0;
/// The Tokio tutorial: a spawned task is one allocation of about 64 bytes.
const TOKIO_TASK: f64 = 64.0;
/// Slab caches an idle TCP connection or a thread allocates from.
const SLABS: [&str; 6] = [
    "TCP",
    "sock_inode_cache",
    "filp",
    "eventpoll_epi",
    "task_struct",
    "pid",
];

/// Soft and hard `RLIMIT_NOFILE` of this process.
fn nofile() -> Result<(u64, u64)> {
    getrlimit(Resource::RLIMIT_NOFILE).context("getrlimit")
}

/// Raises the soft descriptor limit to the hard one (allowed without
/// privileges); children started afterwards inherit it.
fn raise_nofile() -> Result<(u64, u64)> {
    let (_, hard) = nofile()?;
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).context("setrlimit")?;
    nofile()
}

/// What the kernel and the server process hold at one moment.
#[derive(Clone, Copy, Default)]
struct Snapshot {
    rss: u64,
    vm: u64,
    threads: u64,
    /// Bytes in the slab caches of `SLABS` plus kernel stacks (system-wide).
    kernel: u64,
    /// `/proc/net/sockstat`: TCP sockets in use, pages of socket buffers.
    tcp_inuse: u64,
    tcp_mem_pages: u64,
}

fn status_field(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn snapshot(pid: u32) -> Result<Snapshot> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let meminfo = std::fs::read_to_string("/proc/meminfo")?;
    let slabs: u64 = std::fs::read_to_string("/proc/slabinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // name active_objs num_objs objsize ...
            (f.len() > 3 && SLABS.contains(&f[0])).then(|| {
                let active: u64 = f[1].parse().unwrap_or(0);
                let size: u64 = f[3].parse().unwrap_or(0);
                active * size
            })
        })
        .sum();
    let sockstat = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
    let tcp = sockstat
        .lines()
        .find_map(|l| l.strip_prefix("TCP:"))
        .unwrap_or("");
    let after = |key: &str| -> u64 {
        let words: Vec<&str> = tcp.split_whitespace().collect();
        words
            .windows(2)
            .find(|w| w[0] == key)
            .and_then(|w| w[1].parse().ok())
            .unwrap_or(0)
    };
    Ok(Snapshot {
        rss: status_field(&status, "VmRSS:") * 1024,
        vm: status_field(&status, "VmSize:") * 1024,
        threads: status_field(&status, "Threads:"),
        kernel: slabs + status_field(&meminfo, "KernelStack:") * 1024,
        tcp_inuse: after("inuse"),
        tcp_mem_pages: after("mem"),
    })
}

/// Opens `n` connections in batches the accept queue can take; each sends
/// one byte and waits for its echo, so the server has really taken it on
/// (a thread spawned, a task or a slot created). Returns those that echoed
/// and the first failure, if any.
fn open_idle(addr: SocketAddr, n: usize) -> (Vec<TcpStream>, Option<String>) {
    const BATCH: usize = 100;
    let mut held = Vec::with_capacity(n);
    let mut first_error = None;
    let mut note = |e: String| {
        first_error.get_or_insert(e);
    };
    while held.len() < n {
        let mut batch = Vec::with_capacity(BATCH);
        for _ in 0..BATCH.min(n - held.len()) {
            match TcpStream::connect(addr) {
                Ok(s) => batch.push(s),
                Err(e) => {
                    note(format!("connect: {e}"));
                    break;
                }
            }
        }
        if batch.is_empty() {
            break;
        }
        let (tried, mut failed) = (batch.len(), false);
        for mut s in batch {
            let ok = s
                .set_read_timeout(Some(Duration::from_secs(10)))
                .and_then(|()| s.write_all(b"x"))
                .and_then(|()| {
                    let mut b = [0u8; 1];
                    s.read_exact(&mut b)
                });
            match ok {
                Ok(()) => held.push(s),
                Err(e) => {
                    failed = true;
                    note(format!("echo: {e}"));
                }
            }
        }
        if failed || tried < BATCH.min(n) {
            break; // the server stopped taking connections: stop asking
        }
    }
    (held, first_error)
}

#[derive(Serialize, Deserialize)]
struct Point {
    server: String,
    conns: usize,
    held: usize,
    error: Option<String>,
    rss_per_conn: f64,
    vm_per_conn: f64,
    kernel_per_conn: f64,
    threads: u64,
    tcp_inuse_delta: i64,
    tcp_mem_pages_delta: i64,
    rps: f64,
    p99_ns: f64,
    active_errors: u64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    pinned: bool,
    soft_before: u64,
    soft: u64,
    hard: u64,
    window_s: f64,
    slabinfo: bool,
    points: Vec<Point>,
}

fn conn_counts(quick: bool) -> Vec<usize> {
    if quick {
        vec![100, 1_000]
    } else {
        vec![1_000, 10_000]
    }
}

pub fn steps(quick: bool) -> u64 {
    (conn_counts(quick).len() * SERVERS.len()) as u64
}

/// One server, one connection count: hold them idle, measure, then load.
fn one(
    kind: &str,
    conns: usize,
    pinned: bool,
    (warm, window, settle): (Duration, Duration, Duration),
) -> Result<Point> {
    let server = Server::start(kind, pinned.then_some(1))?;
    let pid = server.child.id();
    std::thread::scope(|scope| {
        scope
            .spawn(|| -> Result<Point> {
                if pinned {
                    pin_to(0)?;
                }
                // One round trip first, so a lazily built runtime and the
                // allocator's first arenas are in the baseline, not per connection.
                drop(open_idle(server.addr, 1));
                std::thread::sleep(settle / 3);
                let before = snapshot(pid)?;
                let (held, error) = open_idle(server.addr, conns);
                // Let the server finish the work the last echoes started.
                std::thread::sleep(settle);
                let after = snapshot(pid)?;
                let held_n = held.len();
                let n = held_n.max(1) as f64;
                let per = |a: u64, b: u64| (a as f64 - b as f64) / n;
                let load = if held.len() == conns {
                    Some(ping_pong(server.addr, ACTIVE, warm, window)?)
                } else {
                    None // the idle phase already failed: record why, skip the load
                };
                drop(server);
                drop(held);
                Ok(Point {
                    server: kind.to_string(),
                    conns,
                    held: held_n,
                    error,
                    rss_per_conn: per(after.rss, before.rss),
                    vm_per_conn: per(after.vm, before.vm),
                    kernel_per_conn: per(after.kernel, before.kernel),
                    threads: after.threads,
                    tcp_inuse_delta: after.tcp_inuse as i64 - before.tcp_inuse as i64,
                    tcp_mem_pages_delta: after.tcp_mem_pages as i64 - before.tcp_mem_pages as i64,
                    rps: load.as_ref().map_or(0.0, |l| l.requests as f64 / l.seconds),
                    p99_ns: load.as_ref().map_or(0.0, |l| l.p99_ns),
                    active_errors: load.as_ref().map_or(0, |l| l.errors),
                })
            })
            .join()
            .expect("client thread")
    })
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let pinned = ctx.cores >= 2;
    let (soft_before, _) = nofile()?;
    let (soft, hard) = raise_nofile()?;
    let window = ctx.pick(Duration::from_millis(1500), Duration::from_millis(150));
    let warm = ctx.pick(Duration::from_millis(300), Duration::from_millis(20));
    let settle = ctx.pick(Duration::from_millis(300), Duration::from_millis(60));
    let slabinfo = std::fs::read_to_string("/proc/slabinfo").is_ok();
    let mut points = Vec::new();
    for conns in conn_counts(ctx.quick) {
        // Each side holds one descriptor per connection, plus the active ones.
        let fits = (conns + ACTIVE + 64) as u64 <= soft;
        for (kind, _) in SERVERS {
            if fits {
                points.push(one(kind, conns, pinned, (warm, window, settle))?);
            }
            // Sockets of the last run leave TIME_WAIT and slab caches settle.
            std::thread::sleep(settle * 2 / 3);
            ctx.step(&format!("{kind}, {conns} connections"));
        }
    }
    let mut values = Values::default();
    values.number(
        "nofile_soft_before",
        soft_before as f64,
        "",
        thousands(soft_before as f64),
    );
    values.number("nofile_soft", soft as f64, "", thousands(soft as f64));
    values.number("nofile_hard", hard as f64, "", thousands(hard as f64));
    for p in &points {
        let key = format!("{}_{}", p.server.replace('-', "_"), p.conns);
        let bytes = |v: f64| size(v.max(0.0).round() as u64);
        values.number(
            &format!("rss_per_conn_{key}"),
            p.rss_per_conn,
            "B",
            bytes(p.rss_per_conn),
        );
        values.number(
            &format!("vm_per_conn_{key}"),
            p.vm_per_conn,
            "B",
            bytes(p.vm_per_conn),
        );
        values.number(
            &format!("kernel_per_conn_{key}"),
            p.kernel_per_conn,
            "B",
            bytes(p.kernel_per_conn),
        );
        values.number(
            &format!("threads_{key}"),
            p.threads as f64,
            "",
            thousands(p.threads as f64),
        );
        values.number(
            &format!("held_{key}"),
            p.held as f64,
            "",
            thousands(p.held as f64),
        );
        values.number(
            &format!("rps_{key}"),
            p.rps,
            "requests/s",
            format!("{} requests/s", thousands(p.rps.round())),
        );
        values.nanos(&format!("p99_{key}"), p.p99_ns);
    }
    let find = |server: &str, conns: usize| {
        points
            .iter()
            .find(|p| p.server == server && p.conns == conns)
    };
    let top = *conn_counts(ctx.quick).last().expect("two counts");
    if let (Some(th), Some(ct)) = (find("thread", top), find("tokio-ct", top)) {
        values.ratio("thread_vs_tokio_rss_top", th.rss_per_conn / ct.rss_per_conn);
        values.ratio(
            "thread_vs_tokio_kernel_top",
            th.kernel_per_conn / ct.kernel_per_conn,
        );
        values.ratio("stack_vs_thread_rss_top", THREAD_STACK / th.rss_per_conn);
        values.ratio("tokio_rss_vs_task_anchor_top", ct.rss_per_conn / TOKIO_TASK);
    }
    let errors = points.iter().filter(|p| p.error.is_some()).count()
        + points
            .iter()
            .map(|p| p.active_errors as usize)
            .sum::<usize>();
    values.number("errors", errors as f64, "", thousands(errors as f64));
    let data = Data {
        pinned,
        soft_before,
        soft,
        hard,
        window_s: window.as_secs_f64(),
        slabinfo,
        points,
    };
    Recorded::new(values, data)
}

/// Bytes with three significant digits: 870 B, 9.46 KiB, 2.00 MiB.
fn size(b: u64) -> String {
    let b = b as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{} MiB", sig(b / 1048576.0, 3))
    } else if b >= 1024.0 {
        format!("{} KiB", sig(b / 1024.0, 3))
    } else {
        format!("{b} B")
    }
}

/// Axis labels at 100, 1,000, 10,000 only: the measured counts.
fn powers_of_ten(x: &f64) -> String {
    let e = x.log10();
    if (e - e.round()).abs() < 1e-9 {
        thousands(*x)
    } else {
        String::new()
    }
}

fn name_of(kind: &str) -> &str {
    SERVERS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, n)| n)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        ">connections",
        "server",
        ">held",
        ">threads",
        ">resident / conn",
        ">address space / conn",
        ">kernel / conn",
        ">requests/s (100 active)",
        ">p99",
    ]);
    let bytes = |v: f64| {
        if v <= 0.0 {
            "≈ 0".to_string()
        } else {
            size(v.round() as u64)
        }
    };
    for p in &d.points {
        let held = match &p.error {
            Some(e) => format!("{} ({e})", thousands(p.held as f64)),
            None => thousands(p.held as f64),
        };
        table.row(vec![
            thousands(p.conns as f64),
            name_of(&p.server).to_string(),
            held,
            thousands(p.threads as f64),
            bytes(p.rss_per_conn),
            bytes(p.vm_per_conn),
            if d.slabinfo {
                bytes(p.kernel_per_conn)
            } else {
                "n/a".into()
            },
            if p.rps > 0.0 {
                thousands(p.rps.round())
            } else {
                "—".into()
            },
            if p.rps > 0.0 {
                fmt_ns(p.p99_ns)
            } else {
                "—".into()
            },
        ]);
    }
    let notes = format!(
        "Each server runs in its own process{}; this process is the client. Descriptor limit (RLIMIT_NOFILE): soft {} raised to the hard limit {}, inherited by the servers. \
         Each idle connection sends one byte and gets its echo before the measurement, so the server has taken it on. \
         Resident and address space: the server's VmRSS and VmSize from /proc/PID/status after the connections minus before, divided by the connections held. \
         Kernel: the system-wide change in the slab caches {} (active objects × object size, /proc/slabinfo) plus kernel stacks (/proc/meminfo), per connection; both ends of every connection live on this machine, so it counts the client's socket too, and other processes' activity adds noise. \
         Then {ACTIVE} more connections do ping-pong with 64-byte messages for {} s while the idle ones stay open. \
         Anchors: Rust reserves {} of stack for each spawned thread; the Tokio tutorial puts a task at about {} bytes.",
        if d.pinned {
            ", pinned to CPU 1 with the client on CPU 0"
        } else {
            " (not pinned: fewer than two CPUs)"
        },
        thousands(d.soft_before as f64),
        thousands(d.hard as f64),
        SLABS.join(", "),
        sig(d.window_s, 2),
        size(THREAD_STACK as u64),
        TOKIO_TASK,
    );
    let counts: Vec<f64> = {
        let mut c: Vec<f64> = d.points.iter().map(|p| p.conns as f64).collect();
        c.sort_by(f64::total_cmp);
        c.dedup();
        c
    };
    let mut series: Vec<Series> = SERVERS
        .iter()
        .enumerate()
        .map(|(color, (kind, name))| Series {
            name: format!("{name}: resident"),
            points: d
                .points
                .iter()
                .filter(|p| p.server == *kind && p.rss_per_conn > 0.0)
                .map(|p| (p.conns as f64, p.rss_per_conn))
                .collect(),
            style: Style::Measured,
            color,
        })
        .collect();
    if d.slabinfo {
        for (kind, label, color) in [
            ("thread", "thread per connection: kernel", 4),
            ("tokio-ct", "tokio current-thread: kernel", 5),
        ] {
            series.push(Series {
                name: label.into(),
                points: d
                    .points
                    .iter()
                    .filter(|p| p.server == kind && p.kernel_per_conn > 0.0)
                    .map(|p| (p.conns as f64, p.kernel_per_conn))
                    .collect(),
                style: Style::Measured,
                color,
            });
        }
    }
    if let (Some(lo), Some(hi)) = (counts.first(), counts.last()) {
        series.push(Series {
            name: "thread stack reserved, 2 MiB (Rust default)".into(),
            points: vec![(*lo, THREAD_STACK), (*hi, THREAD_STACK)],
            style: Style::Reference,
            color: 0,
        });
        series.push(Series {
            name: "tokio task, ~64 B (Tokio tutorial)".into(),
            points: vec![(*lo, TOKIO_TASK), (*hi, TOKIO_TASK)],
            style: Style::Reference,
            color: 0,
        });
        // Not drawn (one point, no name): room above the data for the legend.
        series.push(Series {
            name: String::new(),
            points: vec![(*lo, THREAD_STACK * 30.0)],
            style: Style::Reference,
            color: 0,
        });
    }
    let plot = LinePlot {
        title: "Memory per idle connection",
        x_label: "idle connections (log scale)",
        y_label: "bytes per connection (log scale)",
        log_x: true,
        log_y: true,
        x_format: Some(powers_of_ten),
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}

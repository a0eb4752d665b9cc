//! Where the time of one small message goes: a system call, a write and a
//! read on a pipe in one thread (no wake-up), a pipe round trip between two
//! threads and between two processes (wake-ups added), a 64-byte copy, and a
//! cache line passed between two cores (no kernel at all).

use super::ipc_ladder::{Mech, Session, ping_pong};
use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats, sig};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::{Result, ensure};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const MSG: usize = 64;

/// Nanoseconds per call of `op`, calling it in batches until `budget` is spent.
fn timed(budget: Duration, batch: u64, mut op: impl FnMut()) -> f64 {
    for _ in 0..batch.min(1000) {
        op();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..batch {
            op();
        }
        n += batch;
    }
    start.elapsed().as_secs_f64() * 1e9 / n as f64
}

/// The cheapest real system call: the kernel only looks up a number.
fn syscall_ns(budget: Duration) -> f64 {
    timed(budget, 4096, || {
        // SAFETY: getppid has no preconditions and cannot fail.
        std::hint::black_box(unsafe { libc::getppid() });
    })
}

/// 64 bytes into a pipe and back out, in one thread: two system calls and
/// two copies, and nobody to wake.
fn pipe_self_ns(budget: Duration) -> Result<f64> {
    let (mut r, mut w) = std::io::pipe()?;
    let out = [0x2Au8; MSG];
    let mut back = [0u8; MSG];
    let mut failed = None;
    let ns = timed(budget, 256, || {
        if let Err(e) = w.write_all(&out).and_then(|()| r.read_exact(&mut back)) {
            failed.get_or_insert(e);
        }
    });
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(ns),
    }
}

/// A copy of 64 bytes in user space.
fn memcpy_ns(budget: Duration) -> f64 {
    let src = [0x2Au8; MSG];
    let mut dst = [0u8; MSG];
    timed(budget, 1 << 16, || {
        dst.copy_from_slice(std::hint::black_box(&src));
        std::hint::black_box(&mut dst);
    })
}

/// A pipe round trip of 64 bytes between two threads of one process.
fn thread_pipes_ns(budget: Duration) -> Result<f64> {
    let (mut down_r, mut down_w) = std::io::pipe()?;
    let (mut up_r, mut up_w) = std::io::pipe()?;
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let mut buf = [0u8; MSG];
        // Until the other thread closes its end.
        while down_r.read_exact(&mut buf).is_ok() {
            up_w.write_all(&buf)?;
        }
        Ok(())
    });
    let out = [0x2Au8; MSG];
    let mut back = [0u8; MSG];
    let mut failed = None;
    let ns = timed(budget, 16, || {
        if let Err(e) = down_w
            .write_all(&out)
            .and_then(|()| up_r.read_exact(&mut back))
        {
            failed.get_or_insert(e);
        }
    });
    drop(down_w);
    echo.join()
        .map_err(|_| anyhow::anyhow!("echo thread panicked"))??;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(ns),
    }
}

/// The same round trip between two processes (the ladder's pipe rung).
fn process_pipes_ns(budget: Duration) -> Result<f64> {
    let mut session = Session::start(Mech::Pipe, MSG, false)?;
    let per_s = ping_pong(session.link.as_mut(), MSG, budget);
    session.end()?;
    Ok(1e9 / per_s?)
}

/// Pins the calling thread to one CPU; false if the system says no.
fn pin(cpu: usize) -> bool {
    let mut set = nix::sched::CpuSet::new();
    set.set(cpu).is_ok()
        && nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set).is_ok()
}

/// A cache line passed back and forth between two cores: one thread stores
/// an odd number, the other answers with the next even one; both spin.
/// Returns nanoseconds per round trip (two transfers of the line).
fn cache_line_ns(budget: Duration) -> f64 {
    const STOP: u64 = u64::MAX;
    let flag = AtomicU64::new(0);
    let cross = std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2;
    std::thread::scope(|s| {
        s.spawn(|| {
            if cross {
                pin(1);
            }
            let mut seen = 0;
            loop {
                let v = flag.load(Ordering::Acquire);
                if v == STOP {
                    break;
                }
                if v != seen && v % 2 == 1 {
                    flag.store(v + 1, Ordering::Release);
                    seen = v + 1;
                } else {
                    std::hint::spin_loop();
                }
            }
        });
        s.spawn(|| {
            if cross {
                pin(0);
            }
            let mut next = 1u64;
            let ns = timed(budget, 1024, || {
                flag.store(next, Ordering::Release);
                let mut spins = 0u32;
                while flag.load(Ordering::Acquire) != next + 1 {
                    std::hint::spin_loop();
                    spins += 1;
                    // The partner may be off its core: let it run.
                    if spins.is_multiple_of(4096) {
                        std::thread::yield_now();
                    }
                }
                next += 2;
            });
            flag.store(STOP, Ordering::Release);
            ns
        })
        .join()
        .expect("the spinning thread does not panic")
    })
}

#[derive(Serialize, Deserialize)]
struct Data {
    budget_s: f64,
    reps: usize,
    /// Whether the cache-line threads were pinned to two different CPUs.
    pinned: bool,
    syscall: Spread,
    pipe_self: Spread,
    thread_pipes: Spread,
    process_pipes: Spread,
    memcpy: Spread,
    cache_line: Spread,
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 5 }
}

pub fn steps(quick: bool) -> u64 {
    (6 * (reps(quick) + 1)) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = reps(ctx.quick);
    let budget = Duration::from_secs_f64(ctx.pick(0.25, 0.02));
    let failure: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    let guard = |r: Result<f64>| -> f64 {
        r.unwrap_or_else(|e| {
            failure.borrow_mut().get_or_insert(e);
            f64::NAN
        })
    };
    let s = interleaved_stats(
        reps,
        &[
            &|| syscall_ns(budget),
            &|| guard(pipe_self_ns(budget)),
            &|| guard(thread_pipes_ns(budget)),
            &|| guard(process_pipes_ns(budget)),
            &|| memcpy_ns(budget),
            &|| cache_line_ns(budget),
        ],
        || ctx.step("message cost"),
    );
    if let Some(e) = failure.borrow_mut().take() {
        return Err(e);
    }
    ensure!(
        s.iter().all(|x| x.median.is_finite()),
        "a measurement failed"
    );
    let data = Data {
        budget_s: budget.as_secs_f64(),
        reps,
        pinned: ctx.cores >= 2,
        syscall: s[0],
        pipe_self: s[1],
        thread_pipes: s[2],
        process_pipes: s[3],
        memcpy: s[4],
        cache_line: s[5],
    };
    Recorded::new(values_of(&data), data)
}

/// The decomposition: the kernel's part of a round trip (four system calls,
/// four copies) is twice a write+read in one thread; the rest is the two
/// wake-ups.
struct Parts {
    kernel: f64,
    wakeup: f64,
}

fn parts(d: &Data) -> Parts {
    let kernel = 2.0 * d.pipe_self.median;
    Parts {
        kernel,
        wakeup: ((d.thread_pipes.median - kernel) / 2.0).max(0.0),
    }
}

fn values_of(d: &Data) -> Values {
    let mut v = Values::default();
    let p = parts(d);
    v.nanos("syscall", d.syscall.median);
    v.nanos("pipe_self", d.pipe_self.median);
    v.nanos("thread_rtt", d.thread_pipes.median);
    v.nanos("process_rtt", d.process_pipes.median);
    v.nanos("memcpy_64", d.memcpy.median);
    v.nanos("cache_line_rtt", d.cache_line.median);
    v.nanos("cache_line_one_way", d.cache_line.median / 2.0);
    v.nanos("kernel_part", p.kernel);
    v.nanos("wakeup", p.wakeup);
    v.ratio(
        "pipe_self_vs_syscall",
        d.pipe_self.median / d.syscall.median,
    );
    v.ratio(
        "thread_rtt_vs_syscall",
        d.thread_pipes.median / d.syscall.median,
    );
    v.ratio(
        "thread_rtt_vs_pipe_self",
        d.thread_pipes.median / d.pipe_self.median,
    );
    v.ratio(
        "process_vs_thread",
        d.process_pipes.median / d.thread_pipes.median,
    );
    v.ratio(
        "rtt_vs_cache_line",
        d.thread_pipes.median / d.cache_line.median,
    );
    v.ratio("syscall_vs_memcpy", d.syscall.median / d.memcpy.median);
    let pct = |x: f64| format!("{} %", sig(x * 100.0, 2));
    let share = p.kernel / d.thread_pipes.median;
    v.number("kernel_share", share * 100.0, "%", pct(share));
    v.number("wakeup_share", (1.0 - share) * 100.0, "%", pct(1.0 - share));
    v.ratio("wakeup_vs_syscall", p.wakeup / d.syscall.median);
    v
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let p = parts(&d);
    let times = |x: f64| format!("{}×", sig(x / d.syscall.median, 2));
    let mut ladder = Table::new(&["rung", ">time", ">in system calls", "what it contains"]);
    let rungs: [(&str, f64, &str); 6] = [
        (
            "copy 64 bytes (memcpy)",
            d.memcpy.median,
            "a few loads and stores in L1",
        ),
        (
            "pass a cache line to another core and back",
            d.cache_line.median,
            "two transfers through the cache-coherence protocol, no kernel",
        ),
        (
            "a system call (getppid)",
            d.syscall.median,
            "enter the kernel, look up a number, return",
        ),
        (
            "write + read 64 B on a pipe, one thread",
            d.pipe_self.median,
            "2 system calls, 2 copies (into the pipe, out of it), no wake-up",
        ),
        (
            "pipe round trip between two threads",
            d.thread_pipes.median,
            "4 system calls, 4 copies, 2 wake-ups of a sleeping thread",
        ),
        (
            "pipe round trip between two processes",
            d.process_pipes.median,
            "the same, across address spaces",
        ),
    ];
    for (name, ns, what) in rungs {
        ladder.row(vec![name.into(), fmt_ns(ns), times(ns), what.into()]);
    }
    let pct = |x: f64| format!("{} %", sig(100.0 * x / d.thread_pipes.median, 2));
    let mut split = Table::new(&[
        "part of a pipe round trip between threads",
        ">time",
        ">share",
    ]);
    split.row(vec![
        "4 system calls with their copies (2 × write + read in one thread)".into(),
        fmt_ns(p.kernel),
        pct(p.kernel),
    ]);
    split.row(vec![
        "2 wake-ups and the scheduling around them (the rest)".into(),
        format!("2 × {}", fmt_ns(p.wakeup)),
        pct(2.0 * p.wakeup),
    ]);
    split.row(vec![
        "measured round trip".into(),
        fmt_ns(d.thread_pipes.median),
        "100 %".into(),
    ]);
    let body = format!(
        "{}\n**The pipe round trip, taken apart:**\n\n{}",
        ladder.to_markdown(),
        split.to_markdown()
    );
    let notes = format!(
        "Medians of {} runs of {} ms each, the rungs taken in turns; 64-byte messages. \
         The cache-line threads {}; the pipe threads and processes go where the scheduler puts them. \
         The round trip between processes took {}× the time of the one between threads.",
        d.reps,
        sig(d.budget_s * 1e3, 3),
        if d.pinned {
            "are pinned to CPUs 0 and 1"
        } else {
            "share one CPU (the machine has one)"
        },
        sig(d.process_pipes.median / d.thread_pipes.median, 3),
    );
    let plot = BarPlot {
        title: "Where the time of one small message goes",
        x_label: "nanoseconds (log scale)",
        bars: rungs
            .iter()
            .map(|(n, ns, _)| (n.to_string(), *ns))
            .collect(),
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), plot)],
    })
}

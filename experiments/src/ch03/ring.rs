//! Section 3.4's ring (Listing 3-17) between two processes over a shared
//! mapping: one-way message rates and bandwidth by message size beside one
//! core's memcpy, and the round-trip cost of three ways to wake the other
//! side (spinning, the futex doorbell of Listing 3-19, a pipe).
//!
//! The child is this binary run again with `CHILD` set to a spec
//! (`drain SIZE` or `echo NOTIFY SIZE`, then the shared memory's descriptor
//! and, for pipes, two more); the parent is always the first producer.

use super::{spin_until, spsc_ring};

#[allow(dead_code)]
#[path = "../../../listings/ch03/listing-03-19-futex-doorbell/src/lib.rs"]
mod doorbell;

use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, human_bytes, interleaved_stats, sig};
use crate::render::{BarPlot, LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, bail, ensure};
use doorbell::Doorbell;
use memmap2::MmapMut;
use nix::sys::memfd::{MFdFlags, memfd_create};
use serde::{Deserialize, Serialize};
use spsc_ring::{Consumer, Producer, region_size};
use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "BOOK_CH03_RING_CHILD";
/// Data bytes of each ring: room for two 64 KiB messages, and small enough
/// to stay in the caches of both cores.
const CAPACITY: usize = 256 << 10;
/// Message sizes of the one-way runs.
const SIZES: [usize; 6] = [64, 100, 1 << 10, 4 << 10, 16 << 10, 64 << 10];
/// Buffer sizes of the memcpy runs: one message, the ring, and a buffer
/// larger than the last-level cache (a copy from main memory to main memory).
const MEMCPY: [usize; 3] = [64 << 10, CAPACITY, DRAM];
const DRAM: usize = crate::harness::MAIN_MEMORY;
/// The size of the notification runs and of ipc-bench's figures.
const SMALL: usize = 100;
/// How long any wait for the other process may take before the run fails.
const PATIENCE: Duration = Duration::from_secs(20);
/// ipc-bench's published message rates at 100 B (README, i5-4590S).
const IPC_BENCH: [(&str, f64); 2] = [("mmap", 5_340_000.0), ("shared memory", 4_700_000.0)];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Notify {
    Spin,
    Futex,
    Pipe,
}

const NOTIFIES: [Notify; 3] = [Notify::Spin, Notify::Futex, Notify::Pipe];

impl Notify {
    fn key(self) -> &'static str {
        match self {
            Notify::Spin => "spin",
            Notify::Futex => "futex",
            Notify::Pipe => "pipe",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Notify::Spin => "spinning",
            Notify::Futex => "futex doorbell",
            Notify::Pipe => "pipe, one byte per wake-up",
        }
    }
    fn from_key(key: &str) -> Result<Notify> {
        NOTIFIES
            .into_iter()
            .find(|n| n.key() == key)
            .with_context(|| format!("no notification {key:?}"))
    }
}

// ---------------------------------------------------------------------------
// The shared memory: two doorbells, then a ring each way.

const RING0: usize = 4096;

fn ring1() -> usize {
    RING0 + region_size(CAPACITY).next_multiple_of(4096)
}

/// Both ends' view of the mapping. `forward` is true in the parent, which
/// sends on ring 0 and rings doorbell 0.
struct Shared {
    tx: Producer,
    rx: Consumer,
    bell_out: &'static Doorbell,
    bell_in: &'static Doorbell,
    // Declared last: the ends point into it.
    _map: MmapMut,
}

fn attach(file: &File, forward: bool) -> Result<Shared> {
    // SAFETY: the memory file is made by the parent for this one pair of
    // processes and keeps its size; both reach it only through the rings'
    // and doorbells' own protocols.
    let mut map = unsafe { MmapMut::map_mut(file)? };
    ensure!(map.len() >= 2 * ring1() - RING0, "shared memory too short");
    let base = map.as_mut_ptr();
    let (out, inn) = if forward { (0, 1) } else { (1, 0) };
    let ring = |i: usize| if i == 0 { RING0 } else { ring1() };
    // SAFETY: a page-aligned mapping, zero when created, large enough for
    // two doorbells (64 bytes each at 0 and 64) and two rings at 64-byte
    // aligned offsets; each ring has exactly one producer (the process
    // attaching it as `out`) and one consumer. The mapping lives in `_map`
    // as long as the ends (the 'static doorbell references never leave
    // this module's `Shared`, which drops the mapping last).
    unsafe {
        Ok(Shared {
            tx: Producer::attach(base.add(ring(out)), CAPACITY),
            rx: Consumer::attach(base.add(ring(inn)), CAPACITY),
            bell_out: Doorbell::at(base.add(64 * out)),
            bell_in: Doorbell::at(base.add(64 * inn)),
            _map: map,
        })
    }
}

/// A new memory file, zero-filled, that a child inherits.
fn memory() -> Result<File> {
    let file = File::from(memfd_create(c"book-ring", MFdFlags::empty())?);
    file.set_len((2 * ring1() - RING0) as u64)?;
    Ok(file)
}

/// How one side waits for, and signals, a message.
struct Waker {
    notify: Notify,
    /// Pipes: (read from the peer, write to the peer).
    pipe: Option<(File, File)>,
}

impl Waker {
    fn signal(&mut self, s: &Shared) -> Result<()> {
        match self.notify {
            Notify::Spin => {}
            Notify::Futex => s.bell_out.ring(),
            Notify::Pipe => self.pipe.as_mut().unwrap().1.write_all(&[1])?,
        }
        Ok(())
    }

    fn recv(&mut self, s: &mut Shared, buf: &mut Vec<u8>) -> Result<()> {
        match self.notify {
            Notify::Spin => spin_until(|| s.rx.try_recv(buf), 1024, PATIENCE),
            Notify::Futex => {
                let rx = &mut s.rx;
                let got = s.bell_in.wait_until(|| rx.try_recv(buf), PATIENCE)?;
                ensure!(got, "the other process stopped");
                Ok(())
            }
            Notify::Pipe => {
                let mut byte = [0];
                // A dead peer closes its end: read_exact fails, no hang.
                self.pipe.as_mut().unwrap().0.read_exact(&mut byte)?;
                ensure!(s.rx.try_recv(buf), "woken, but the ring is empty");
                Ok(())
            }
        }
    }
}

fn send(s: &mut Shared, msg: &[u8]) -> Result<()> {
    spin_until(|| s.tx.try_send(msg), 1024, PATIENCE)
}

// ---------------------------------------------------------------------------
// The child.

pub fn child_entry() -> Option<Result<()>> {
    let spec = std::env::var(CHILD).ok()?;
    Some(child(&spec).with_context(|| format!("ring child {spec:?}")))
}

/// A descriptor the parent left open for us.
fn inherited(word: Option<&str>) -> Result<File> {
    let fd: i32 = word.context("missing descriptor")?.parse()?;
    // SAFETY: the parent passed this inherited descriptor; nothing else in
    // this process owns it.
    Ok(unsafe { File::from_raw_fd(fd) })
}

fn child(spec: &str) -> Result<()> {
    let mut words = spec.split(' ');
    match words.next() {
        Some("drain") => {
            let size: usize = words.next().context("size")?.parse()?;
            let mut s = attach(&inherited(words.next())?, false)?;
            let (count, secs) = drain(&mut s, size)?;
            println!("{count} {secs}");
            Ok(())
        }
        Some("echo") => {
            let notify = Notify::from_key(words.next().context("notify")?)?;
            let mut s = attach(&inherited(words.next())?, false)?;
            let pipe = match notify {
                Notify::Pipe => Some((inherited(words.next())?, inherited(words.next())?)),
                _ => None,
            };
            let mut waker = Waker { notify, pipe };
            let mut buf = Vec::new();
            loop {
                waker.recv(&mut s, &mut buf)?;
                send(&mut s, &buf)?;
                waker.signal(&s)?;
                if buf.is_empty() {
                    return Ok(()); // the empty message says "stop"
                }
            }
        }
        _ => bail!("bad spec"),
    }
}

/// Receives until the empty message; checks each message's sequence number
/// at both ends. Returns the count and the seconds from the first message.
fn drain(s: &mut Shared, size: usize) -> Result<(u64, f64)> {
    let mut buf = Vec::with_capacity(size);
    spin_until(|| s.rx.try_recv(&mut buf), 1024, PATIENCE)?;
    let start = Instant::now();
    let mut n = 0u64;
    while !buf.is_empty() {
        ensure!(buf.len() == size, "message {n}: {} bytes", buf.len());
        let seq = n.to_le_bytes();
        ensure!(
            buf[..8] == seq && buf[size - 8..] == seq,
            "message {n} damaged"
        );
        n += 1;
        spin_until(|| s.rx.try_recv(&mut buf), 1024, PATIENCE)?;
    }
    Ok((n, start.elapsed().as_secs_f64()))
}

// ---------------------------------------------------------------------------
// The parent's measurements.

fn spawn(spec: &str) -> Result<Child> {
    Ok(Command::new(std::env::current_exe()?)
        .env(CHILD, spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?)
}

fn finish(child: Child) -> Result<String> {
    let out = child.wait_with_output()?;
    ensure!(
        out.status.success(),
        "the child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// Messages per second one way, as the child counts them.
fn one_way(size: usize, budget: Duration) -> Result<f64> {
    let file = memory()?;
    let mut s = attach(&file, true)?;
    let child = spawn(&format!("drain {size} {}", file.as_raw_fd()))?;
    let mut msg = vec![0x2A; size];
    let start = Instant::now();
    let mut n = 0u64;
    let result = (|| {
        loop {
            let seq = n.to_le_bytes();
            msg[..8].copy_from_slice(&seq);
            msg[size - 8..].copy_from_slice(&seq);
            send(&mut s, &msg)?;
            n += 1;
            if n.is_multiple_of(64) && start.elapsed() >= budget {
                break;
            }
        }
        send(&mut s, &[])
    })();
    let out = finish(child)?;
    result?;
    let words: Vec<f64> = out
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let [count, secs] = words[..] else {
        bail!("the child printed {out:?}");
    };
    ensure!(
        count as u64 == n,
        "sent {n} messages, the child counted {count}"
    );
    Ok(count / secs)
}

/// Round trips per second at `SMALL` bytes, woken by `notify`.
fn round_trips(notify: Notify, budget: Duration) -> Result<f64> {
    let file = memory()?;
    let mut s = attach(&file, true)?;
    let mut spec = format!("echo {} {}", notify.key(), file.as_raw_fd());
    let mut child_ends: Vec<OwnedFd> = Vec::new();
    let pipe = if notify == Notify::Pipe {
        let (to_child_r, to_child_w) = nix::unistd::pipe()?;
        let (to_parent_r, to_parent_w) = nix::unistd::pipe()?;
        spec += &format!(" {} {}", to_child_r.as_raw_fd(), to_parent_w.as_raw_fd());
        child_ends.extend([to_child_r, to_parent_w]);
        Some((File::from(to_parent_r), File::from(to_child_w)))
    } else {
        None
    };
    let child = spawn(&spec)?;
    drop(child_ends); // ours are closed: a dead child means end of file
    let mut waker = Waker { notify, pipe };
    let msg = vec![0x2A; SMALL];
    let mut back = Vec::new();
    let result = (|| {
        for _ in 0..100 {
            send(&mut s, &msg)?;
            waker.signal(&s)?;
            waker.recv(&mut s, &mut back)?;
        }
        let start = Instant::now();
        let mut n = 0u64;
        loop {
            send(&mut s, &msg)?;
            waker.signal(&s)?;
            waker.recv(&mut s, &mut back)?;
            n += 1;
            if n.is_multiple_of(16) && start.elapsed() >= budget {
                break;
            }
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        ensure!(back == msg, "the echo differs");
        send(&mut s, &[])?;
        waker.signal(&s)?;
        waker.recv(&mut s, &mut back)?;
        Ok(rate)
    })();
    finish(child)?;
    result
}

#[derive(Serialize, Deserialize)]
struct Data {
    capacity: usize,
    budget_s: f64,
    /// Per message size: messages per second, one way.
    one_way: Vec<(usize, Spread)>,
    /// Per buffer size: bytes per second.
    memcpy: Vec<(usize, Spread)>,
    /// Per notification: round trips per second at SMALL bytes.
    round_trips: Vec<(String, Spread)>,
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 3 }
}

pub fn steps(quick: bool) -> u64 {
    let rounds = reps(quick) + 1;
    (rounds * (SIZES.len() + MEMCPY.len() + NOTIFIES.len())) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = reps(ctx.quick);
    let budget = Duration::from_secs_f64(ctx.pick(0.25, 0.02));
    let failure: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    let ok = |r: Result<f64>| match r {
        Ok(v) => v,
        Err(e) => {
            failure.borrow_mut().get_or_insert(e);
            f64::NAN
        }
    };
    // Sizes and memcpy in one set of rounds, so that drift hits all alike.
    type Measure<'a> = Box<dyn Fn() -> f64 + 'a>;
    let mut measures: Vec<Measure> = Vec::new();
    for size in SIZES {
        measures.push(Box::new(move || ok(one_way(size, budget))));
    }
    for size in MEMCPY {
        measures.push(Box::new(move || crate::harness::memcpy_rate(size, budget)));
    }
    let refs: Vec<&dyn Fn() -> f64> = measures.iter().map(|m| m.as_ref()).collect();
    let spreads = interleaved_stats(reps, &refs, || ctx.step("one way"));
    drop(refs);
    drop(measures);
    if let Some(e) = failure.borrow_mut().take() {
        return Err(e);
    }
    let one_way: Vec<(usize, Spread)> = SIZES.iter().copied().zip(spreads.clone()).collect();
    let memcpy: Vec<(usize, Spread)> = MEMCPY
        .iter()
        .copied()
        .zip(spreads[SIZES.len()..].iter().copied())
        .collect();

    let measures: Vec<Measure> = NOTIFIES
        .iter()
        .map(|&n| Box::new(move || ok(round_trips(n, budget))) as Measure)
        .collect();
    let refs: Vec<&dyn Fn() -> f64> = measures.iter().map(|m| m.as_ref()).collect();
    let spreads = interleaved_stats(reps, &refs, || ctx.step("round trips"));
    drop(refs);
    drop(measures);
    if let Some(e) = failure.borrow_mut().take() {
        return Err(e);
    }
    let round_trips = NOTIFIES
        .iter()
        .map(|n| n.key().to_string())
        .zip(spreads)
        .collect();
    let data = Data {
        capacity: CAPACITY,
        budget_s: budget.as_secs_f64(),
        one_way,
        memcpy,
        round_trips,
    };
    Recorded::new(values_of(&data), &data)
}

// ---------------------------------------------------------------------------
// Values and rendering.

fn at<K: PartialEq + ?Sized, T: std::borrow::Borrow<K>>(rows: &[(T, Spread)], key: &K) -> f64 {
    rows.iter()
        .find(|(k, _)| k.borrow() == key)
        .map_or(f64::NAN, |(_, s)| s.median)
}

/// 12.3 M/s, or 123,000/s.
fn rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{} M/s", sig(x / 1e6, 3))
    } else {
        format!("{} k/s", sig(x / 1e3, 3))
    }
}

fn gbs(b: f64) -> String {
    format!("{} GB/s", sig(b / 1e9, 3))
}

fn values_of(d: &Data) -> Values {
    let mut v = Values::default();
    let small = at(&d.one_way, &SMALL);
    v.number("msgs_100", small, "1/s", rate(small));
    v.nanos("ns_per_msg_100", 1e9 / small);
    v.ratio("vs_ipcbench_mmap", small / IPC_BENCH[0].1);
    v.ratio("vs_ipcbench_shm", small / IPC_BENCH[1].1);
    let big = at(&d.one_way, &(64 << 10)) * (64 << 10) as f64;
    v.number("gbs_64k", big, "B/s", gbs(big));
    let copy = at(&d.memcpy, &(64 << 10));
    v.number("memcpy_64k", copy, "B/s", gbs(copy));
    let dram = at(&d.memcpy, &DRAM);
    v.number("memcpy_dram", dram, "B/s", gbs(dram));
    let share = 100.0 * big / copy;
    v.number("of_memcpy_64k", share, "%", format!("{} %", sig(share, 2)));
    let share = 100.0 * big / dram;
    v.number("of_memcpy_dram", share, "%", format!("{} %", sig(share, 2)));
    for n in NOTIFIES {
        let per_s = at(&d.round_trips, n.key());
        v.nanos(&format!("rtt_{}", n.key()), 1e9 / per_s);
    }
    let rtt = |n: Notify| 1.0 / at(&d.round_trips, n.key());
    v.ratio("futex_vs_spin", rtt(Notify::Futex) / rtt(Notify::Spin));
    v.ratio("pipe_vs_futex", rtt(Notify::Pipe) / rtt(Notify::Futex));
    v.text("capacity", &human_bytes(d.capacity as u64));
    v
}

fn fmt_ns(s: f64) -> String {
    crate::harness::fmt_ns(s * 1e9)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut one = Table::new(&[
        ">message",
        ">messages/s",
        ">per message",
        ">one way",
        ">of memcpy (64 KiB)",
    ]);
    let copy = at(&d.memcpy, &(64 << 10));
    for (size, s) in &d.one_way {
        let bytes = s.median * *size as f64;
        one.row(vec![
            human_bytes(*size as u64),
            format!("{} ({}–{})", rate(s.median), rate(s.min), rate(s.max)),
            fmt_ns(1.0 / s.median),
            gbs(bytes),
            format!("{} %", sig(100.0 * bytes / copy, 2)),
        ]);
    }
    for (name, figure) in IPC_BENCH {
        one.row(vec![
            "100 B".into(),
            format!("{} (ipc-bench, {name}, published)", rate(figure)),
            fmt_ns(1.0 / figure),
            gbs(figure * 100.0),
            "".into(),
        ]);
    }
    let mut copies = Table::new(&[">memcpy buffer", ">one core"]);
    for (size, s) in &d.memcpy {
        copies.row(vec![human_bytes(*size as u64), gbs(s.median)]);
    }
    let mut wake = Table::new(&["wake-up", ">round trip (100 B)", ">round trips/s"]);
    for n in NOTIFIES {
        let per_s = at(&d.round_trips, n.key());
        wake.row(vec![n.label().into(), fmt_ns(1.0 / per_s), rate(per_s)]);
    }
    let body = format!(
        "{}\n\n{}\n\n{}",
        one.to_markdown(),
        copies.to_markdown(),
        wake.to_markdown()
    );
    let notes = format!(
        "One way: the parent process sends messages back to back through a ring of {} in a shared memory file, the child receives and checks each; the rate is the child's, median of several runs (range in brackets). Round trips: a message goes out on one ring and comes back on another, the waiting side spinning, sleeping on a futex doorbell (Listing 3-19), or blocked reading a pipe. memcpy: one core copying a buffer of that size over and over. ipc-bench's figures are from its README (Intel i5-4590S, Ubuntu 20.04), another machine and its own protocol: compare orders of magnitude.",
        human_bytes(d.capacity as u64)
    );
    let gb = |b: f64| b / 1e9;
    let mut series = vec![Series {
        name: "the ring, one way".into(),
        points: d
            .one_way
            .iter()
            .map(|(size, s)| (*size as f64, gb(s.median * *size as f64)))
            .collect(),
        style: Style::Measured,
        color: 0,
    }];
    let lo = d.one_way.first().map_or(64.0, |p| p.0 as f64);
    let hi = d.one_way.last().map_or(1e5, |p| p.0 as f64);
    for (size, s) in &d.memcpy {
        series.push(Series {
            name: format!("memcpy, one core, {} buffer", human_bytes(*size as u64)),
            points: vec![(lo, gb(s.median)), (hi, gb(s.median))],
            style: Style::Reference,
            color: 1,
        });
    }
    for (name, figure) in IPC_BENCH {
        series.push(Series {
            name: format!("ipc-bench {name} at 100 B (published)"),
            points: vec![(100.0, gb(figure * 100.0))],
            style: Style::Measured,
            color: 3,
        });
    }
    let line = LinePlot {
        title: "Shared-memory ring between two processes: bandwidth by message size",
        x_label: "message size, bytes (log scale)",
        y_label: "GB/s one way (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series,
    }
    .to_svg()?;
    let mut bars: Vec<(String, f64)> =
        vec![("the ring, one way, 100 B".into(), at(&d.one_way, &SMALL))];
    for (name, figure) in IPC_BENCH {
        bars.push((format!("ipc-bench {name} (published)"), figure));
    }
    for n in NOTIFIES {
        bars.push((
            format!("round trips, {}", n.label()),
            at(&d.round_trips, n.key()),
        ));
    }
    let bar = BarPlot {
        title: "Messages (or round trips) per second at 100 B",
        x_label: "per second (log scale)",
        bars,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), line), ("-rates".into(), bar)],
    })
}

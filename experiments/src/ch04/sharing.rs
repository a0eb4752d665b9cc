//! Section 4.4: handing a large array of f64 to a worker process and getting
//! its sum back, four ways: serialised with postcard through a pipe, raw
//! bytes through a pipe, a shared memfd the parent first copies into, and a
//! memfd the data already lives in. Beside them: spawning a worker that gets
//! nothing (the fixed cost), postcard's encode + decode in one process (the
//! serialisation alone), and one core's memcpy of the same bytes.
//!
//! The worker is this binary run again with `CHILD` set to a spec: `none`,
//! `postcard`, `raw` (both read stdin), or `shared FD` (an inherited memfd).

use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, human_bytes, interleaved_stats, sig};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, bail, ensure};
use memmap2::{Mmap, MmapMut};
use nix::sys::memfd::{MFdFlags, memfd_create};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "BOOK_CH04_SHARING_CHILD";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Way {
    Spawn,
    Postcard,
    Raw,
    SharedCopy,
    SharedInPlace,
}

const WAYS: [Way; 5] = [
    Way::Spawn,
    Way::Postcard,
    Way::Raw,
    Way::SharedCopy,
    Way::SharedInPlace,
];

impl Way {
    fn key(self) -> &'static str {
        match self {
            Way::Spawn => "spawn",
            Way::Postcard => "postcard",
            Way::Raw => "raw",
            Way::SharedCopy => "shared_copy",
            Way::SharedInPlace => "shared_in_place",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Way::Spawn => "spawn only, no data",
            Way::Postcard => "pipe, postcard",
            Way::Raw => "pipe, raw bytes",
            Way::SharedCopy => "memfd, copied in",
            Way::SharedInPlace => "memfd, data already there",
        }
    }
}

/// The array: i / 2 at index i, so that the sum is exact (every partial
/// sum is a multiple of 0.5 far below 2^52) and checkable.
fn array(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * 0.5).collect()
}

fn sum(data: &[f64]) -> f64 {
    data.iter().sum()
}

// ---------------------------------------------------------------------------
// The worker.

pub fn child_entry() -> Option<Result<()>> {
    let spec = std::env::var(CHILD).ok()?;
    Some(child(&spec).with_context(|| format!("sharing child {spec:?}")))
}

/// Reads the 8-byte length, then exactly that many bytes, from stdin.
fn read_framed() -> Result<Vec<u8>> {
    let mut stdin = std::io::stdin().lock();
    let mut len = [0u8; 8];
    stdin.read_exact(&mut len)?;
    let mut bytes = vec![0u8; u64::from_le_bytes(len) as usize];
    stdin.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn child(spec: &str) -> Result<()> {
    let mut words = spec.split(' ');
    let total = match words.next() {
        Some("none") => 0.0,
        Some("postcard") => {
            let data: Vec<f64> = postcard::from_bytes(&read_framed()?)?;
            sum(&data)
        }
        Some("raw") => {
            let mut stdin = std::io::stdin().lock();
            let mut len = [0u8; 8];
            stdin.read_exact(&mut len)?;
            // Read straight into the f64s' bytes: one copy out of the pipe.
            let mut data = vec![0f64; u64::from_le_bytes(len) as usize / 8];
            stdin.read_exact(bytemuck::cast_slice_mut(&mut data))?;
            sum(&data)
        }
        Some("shared") => {
            let fd: i32 = words.next().context("fd")?.parse()?;
            // SAFETY: the parent left this descriptor open for us.
            let file = unsafe { File::from_raw_fd(fd) };
            // SAFETY: the parent does not write or resize the memfd until
            // this process has exited.
            let map = unsafe { Mmap::map(&file)? };
            sum(bytemuck::try_cast_slice(&map[..]).map_err(|e| anyhow::anyhow!("{e:?}"))?)
        }
        _ => bail!("bad spec"),
    };
    println!("{total}");
    Ok(())
}

// ---------------------------------------------------------------------------
// The parent.

fn spawn(spec: &str, stdin: bool) -> Result<Child> {
    Ok(Command::new(std::env::current_exe()?)
        .env(CHILD, spec)
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?)
}

fn answer(child: Child) -> Result<f64> {
    let out = child.wait_with_output()?;
    ensure!(
        out.status.success(),
        "the worker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?.trim().parse()?)
}

/// Writes the length and the bytes to the worker's stdin, then closes it.
fn feed(child: &mut Child, bytes: &[u8]) -> Result<()> {
    let mut stdin = child.stdin.take().context("stdin")?;
    stdin.write_all(&(bytes.len() as u64).to_le_bytes())?;
    stdin.write_all(bytes)?;
    Ok(())
}

fn memfd(len: usize) -> Result<File> {
    let file = File::from(memfd_create(c"book-sharing", MFdFlags::empty())?);
    file.set_len(len as u64)?;
    Ok(file)
}

/// A memfd holding `data`, made before any clock starts.
fn prepared(data: &[f64]) -> Result<File> {
    let file = memfd(size_of_val(data))?;
    // SAFETY: the memfd is new and only this process knows it.
    let mut map = unsafe { MmapMut::map_mut(&file)? };
    map.copy_from_slice(bytemuck::cast_slice(data));
    Ok(file)
}

/// Seconds to hand `data` to a new worker `way` and get its sum back.
fn hand_off(way: Way, data: &[f64], ready: &File) -> Result<f64> {
    let expected = if way == Way::Spawn { 0.0 } else { sum(data) };
    let start = Instant::now();
    let got = match way {
        Way::Spawn => answer(spawn("none", false)?)?,
        Way::Postcard => {
            let mut child = spawn("postcard", true)?;
            feed(&mut child, &postcard::to_allocvec(data)?)?;
            answer(child)?
        }
        Way::Raw => {
            let mut child = spawn("raw", true)?;
            feed(&mut child, bytemuck::cast_slice(data))?;
            answer(child)?
        }
        Way::SharedCopy => {
            let file = prepared(data)?;
            answer(spawn(&format!("shared {}", file.as_raw_fd()), false)?)?
        }
        Way::SharedInPlace => answer(spawn(&format!("shared {}", ready.as_raw_fd()), false)?)?,
    };
    let secs = start.elapsed().as_secs_f64();
    ensure!(got == expected, "{way:?}: sum {got}, expected {expected}");
    Ok(secs)
}

/// Seconds for postcard to encode and decode `data` in this process.
fn serialise_only(data: &[f64]) -> Result<f64> {
    let start = Instant::now();
    let bytes = postcard::to_allocvec(data)?;
    let back: Vec<f64> = postcard::from_bytes(&bytes)?;
    let secs = start.elapsed().as_secs_f64();
    ensure!(back.len() == data.len(), "postcard lost values");
    Ok(secs)
}

#[derive(Serialize, Deserialize)]
struct Row {
    bytes: usize,
    /// Per way (its key): seconds.
    ways: Vec<(String, Spread)>,
    serialise: Spread,
    /// One core's memcpy of `bytes`, seconds.
    memcpy: f64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    rows: Vec<Row>,
    /// One core's memcpy rate on a buffer larger than the caches, B/s.
    memcpy_rate: f64,
}

fn sizes(quick: bool) -> Vec<usize> {
    if quick {
        vec![64 << 10, 1 << 20]
    } else {
        vec![1 << 20, 16 << 20, 256 << 20]
    }
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 5 }
}

pub fn steps(quick: bool) -> u64 {
    ((reps(quick) + 1) * (WAYS.len() + 1) * sizes(quick).len()) as u64 + 1
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = reps(ctx.quick);
    let memcpy_rate = crate::harness::memcpy_rate(
        ctx.pick(crate::harness::MAIN_MEMORY, 1 << 20),
        Duration::from_secs_f64(ctx.pick(0.5, 0.02)),
    );
    ctx.step("memcpy");
    let failure: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    let ok = |r: Result<f64>| match r {
        Ok(v) => v,
        Err(e) => {
            failure.borrow_mut().get_or_insert(e);
            f64::NAN
        }
    };
    let mut rows = Vec::new();
    for bytes in sizes(ctx.quick) {
        let data = array(bytes / 8);
        let ready = prepared(&data)?;
        type Measure<'a> = Box<dyn Fn() -> f64 + 'a>;
        let mut measures: Vec<Measure> = WAYS
            .iter()
            .map(|&way| {
                let (data, ready, ok) = (&data, &ready, &ok);
                Box::new(move || ok(hand_off(way, data, ready))) as Measure
            })
            .collect();
        measures.push(Box::new(|| ok(serialise_only(&data))));
        let refs: Vec<&dyn Fn() -> f64> = measures.iter().map(|m| m.as_ref()).collect();
        let label = human_bytes(bytes as u64);
        let spreads = interleaved_stats(reps, &refs, || ctx.step(&label));
        drop(refs);
        drop(measures);
        if let Some(e) = failure.borrow_mut().take() {
            return Err(e);
        }
        rows.push(Row {
            bytes,
            ways: WAYS
                .iter()
                .map(|w| w.key().to_string())
                .zip(spreads.iter().copied())
                .collect(),
            serialise: spreads[WAYS.len()],
            memcpy: bytes as f64 / memcpy_rate,
        });
    }
    let data = Data { rows, memcpy_rate };
    Recorded::new(values_of(&data), &data)
}

// ---------------------------------------------------------------------------
// Values and rendering.

fn time(row: &Row, way: Way) -> f64 {
    row.ways
        .iter()
        .find(|(k, _)| k == way.key())
        .map_or(f64::NAN, |(_, s)| s.median)
}

fn secs(s: f64) -> String {
    crate::harness::fmt_ns(s * 1e9)
}

fn gbs(b: f64) -> String {
    format!("{} GB/s", sig(b / 1e9, 3))
}

fn percent(v: &mut Values, key: &str, x: f64) {
    v.number(key, x, "%", format!("{} %", sig(x, 2)));
}

fn values_of(d: &Data) -> Values {
    let mut v = Values::default();
    v.number("memcpy_rate", d.memcpy_rate, "B/s", gbs(d.memcpy_rate));
    let Some(big) = d.rows.last() else {
        return v;
    };
    let small = &d.rows[0];
    v.text("big", &human_bytes(big.bytes as u64));
    v.text("small", &human_bytes(small.bytes as u64));
    for way in WAYS {
        v.nanos(&format!("{}_big", way.key()), time(big, way) * 1e9);
        v.nanos(&format!("{}_small", way.key()), time(small, way) * 1e9);
    }
    v.nanos("serialise_big", big.serialise.median * 1e9);
    v.nanos("memcpy_big", big.memcpy * 1e9);
    let spawn = time(big, Way::Spawn);
    v.ratio(
        "raw_vs_shared",
        time(big, Way::Raw) / time(big, Way::SharedCopy),
    );
    v.ratio(
        "postcard_vs_shared",
        time(big, Way::Postcard) / time(big, Way::SharedCopy),
    );
    v.ratio(
        "postcard_vs_in_place",
        time(big, Way::Postcard) / time(big, Way::SharedInPlace),
    );
    v.ratio(
        "postcard_vs_raw",
        time(big, Way::Postcard) / time(big, Way::Raw),
    );
    percent(
        &mut v,
        "serialise_share",
        100.0 * big.serialise.median / time(big, Way::Postcard),
    );
    // The pipe's own rate: bytes over the raw pipe's time less the spawn.
    let pipe_rate = big.bytes as f64 / (time(big, Way::Raw) - spawn).max(1e-9);
    v.number("pipe_rate", pipe_rate, "B/s", gbs(pipe_rate));
    percent(&mut v, "pipe_of_memcpy", 100.0 * pipe_rate / d.memcpy_rate);
    percent(
        &mut v,
        "spawn_share_small",
        100.0 * time(small, Way::Spawn) / time(small, Way::Postcard),
    );
    v
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut columns = vec![">array".to_string()];
    columns.extend(WAYS.iter().map(|w| format!(">{}", w.label())));
    columns.push(">postcard encode + decode, no process".into());
    columns.push(">one memcpy, one core".into());
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut table = Table::new(&columns);
    for row in &d.rows {
        let mut cells = vec![human_bytes(row.bytes as u64)];
        for way in WAYS {
            let s = row.ways.iter().find(|(k, _)| k == way.key()).map(|p| p.1);
            cells.push(s.map_or("–".into(), |s| {
                format!("{} ({}–{})", secs(s.median), secs(s.min), secs(s.max))
            }));
        }
        cells.push(secs(row.serialise.median));
        cells.push(secs(row.memcpy));
        table.row(cells);
    }
    let notes = format!(
        "Each cell: the time from starting a worker process until its sum of the array is back in the parent, median of several runs (range in brackets), the ways taken in turns. The worker is a fresh process every time, so every way includes one spawn (first column). Pipe: the parent writes an 8-byte length and the bytes to the worker's stdin; postcard serialises first and the worker deserialises, raw sends the f64s' bytes as they are. memfd, copied in: the parent creates a memfd, copies the array into it and passes the descriptor; data already there: the memfd was filled before the clock started, as when the producer writes into shared memory from the start. The worker maps the memfd read-only and sums in place. memcpy: one core's copy rate on a {} buffer ({}), times the array's size.",
        human_bytes(crate::harness::MAIN_MEMORY as u64),
        gbs(d.memcpy_rate)
    );
    let ms = |s: f64| s * 1e3;
    let mut series: Vec<Series> = WAYS
        .iter()
        .enumerate()
        .map(|(i, &way)| Series {
            name: way.label().into(),
            points: d
                .rows
                .iter()
                .map(|r| (r.bytes as f64 / (1 << 20) as f64, ms(time(r, way))))
                .collect(),
            style: Style::Measured,
            color: i,
        })
        .collect();
    series.push(Series {
        name: "postcard encode + decode alone".into(),
        points: d
            .rows
            .iter()
            .map(|r| (r.bytes as f64 / (1 << 20) as f64, ms(r.serialise.median)))
            .collect(),
        style: Style::Predicted,
        color: 1,
    });
    series.push(Series {
        name: "one memcpy of the array, one core".into(),
        points: d
            .rows
            .iter()
            .map(|r| (r.bytes as f64 / (1 << 20) as f64, ms(r.memcpy)))
            .collect(),
        style: Style::Reference,
        color: 0,
    });
    let svg = LinePlot {
        title: "Handing an array to a worker process and getting its sum back",
        x_label: "array size, MiB (log scale)",
        y_label: "time, ms (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), svg)],
    })
}

//! What every experiment shares: the machine description, timing with
//! repetitions, progress bars, and the values prose quotes.

use crate::results::{Machine, Value};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Handed to an experiment while it runs.
pub struct Ctx {
    /// Quick mode: tiny sizes that prove the experiment works, nothing more.
    pub quick: bool,
    /// Logical CPUs this process may use.
    pub cores: usize,
    bar: ProgressBar,
}

impl Ctx {
    pub fn new(quick: bool, progress: &MultiProgress, title: &str, steps: u64) -> Ctx {
        let bar = progress.add(ProgressBar::new(steps));
        bar.set_style(
            ProgressStyle::with_template("{prefix:32} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(title.to_string());
        Ctx {
            quick,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            bar,
        }
    }

    /// `full` in a real run, `quick` in quick mode.
    pub fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }

    /// Marks one step done, showing what it was.
    pub fn step(&self, what: &str) {
        self.bar.set_message(what.to_string());
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_with_message("done");
    }
}

/// The median of `reps` runs of `measure` (after one warm-up run whose
/// result is dropped). The median resists the odd interrupted run better
/// than the mean.
/// A buffer larger than any last-level cache: copying it moves every byte
/// from main memory and back, the physical limit of a stream of messages.
pub const MAIN_MEMORY: usize = 128 << 20;

/// One core copying `size`-byte buffers over and over for about `budget`:
/// bytes per second. The reference line of Chapter 3's throughput plots.
pub fn memcpy_rate(size: usize, budget: Duration) -> f64 {
    let src = vec![0x2Au8; size];
    let mut dst = vec![0u8; size];
    // The page faults happen here, before the clock starts.
    dst.copy_from_slice(&src);
    let batch = ((1 << 22) / size).max(1) as u64;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..batch {
            dst.copy_from_slice(std::hint::black_box(&src));
            std::hint::black_box(&mut dst);
        }
        n += batch;
    }
    (n * size as u64) as f64 / start.elapsed().as_secs_f64()
}

pub fn median_of(reps: usize, mut measure: impl FnMut() -> f64) -> f64 {
    measure();
    let mut values: Vec<f64> = (0..reps.max(1)).map(|_| measure()).collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Several measurements taken in turns: one warm-up round, then `reps`
/// rounds, each running every measurement once. When the machine's speed
/// drifts (a virtual machine's neighbours, a CPU's clock), the drift falls on
/// every measurement alike instead of on whichever ran last, so their ratios
/// stay fair. Returns each measurement's median, minimum and maximum over the
/// rounds. `done` is called after each measurement.
pub fn interleaved_stats(
    reps: usize,
    measures: &[&dyn Fn() -> f64],
    mut done: impl FnMut(),
) -> Vec<Spread> {
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); measures.len()];
    for round in 0..=reps.max(1) {
        for (i, measure) in measures.iter().enumerate() {
            let value = measure();
            if round > 0 {
                all[i].push(value);
            }
            done();
        }
    }
    all.into_iter()
        .map(|mut values| {
            values.sort_by(f64::total_cmp);
            Spread {
                median: values[values.len() / 2],
                min: values[0],
                max: values[values.len() - 1],
            }
        })
        .collect()
}

/// The median of repeated measurements, and their range.
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// Nanoseconds per operation: `f` runs `ops` operations once.
pub fn ns_per_op(ops: u64, f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e9 / ops.max(1) as f64
}

/// Builds the `values` of a result file.
#[derive(Default)]
pub struct Values(pub BTreeMap<String, Value>);

impl Values {
    /// A time in nanoseconds, shown with a fitting unit.
    pub fn nanos(&mut self, key: &str, ns: f64) {
        self.number(key, ns, "ns", fmt_ns(ns));
    }

    /// Text that stands where a number would (e.g. "not measured").
    pub fn text(&mut self, key: &str, display: &str) {
        self.number(key, 0.0, "text", display.to_string());
    }

    pub fn number(&mut self, key: &str, value: f64, unit: &str, display: String) {
        self.0.insert(
            key.to_string(),
            Value {
                value,
                unit: unit.into(),
                display,
            },
        );
    }

    /// A ratio: three significant digits, or a rounded whole number with
    /// thousands separators from 1,000 up ("887,608×", not "887608×").
    pub fn ratio(&mut self, key: &str, value: f64) {
        let shown = if value >= 1000.0 {
            thousands(value.round())
        } else {
            sig(value, 3)
        };
        self.number(key, value, "x", format!("{shown}×"));
    }
}

/// Nanoseconds with three significant digits and a fitting unit.
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{} ns", sig(ns, 3))
    } else if ns < 1e6 {
        format!("{} µs", sig(ns / 1e3, 3))
    } else if ns < 1e9 {
        format!("{} ms", sig(ns / 1e6, 3))
    } else {
        format!("{} s", sig(ns / 1e9, 3))
    }
}

/// `x` rounded to `digits` significant digits, without trailing noise.
pub fn sig(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{x:.decimals$}")
}

/// A number with thousands separators: 1,234,567.
pub fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Describes this machine for the result files.
pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let os = os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "rustc (unknown version)".into());
    let caches = caches()
        .iter()
        .map(|(name, bytes)| format!("{name} {}", human_bytes(*bytes)))
        .collect::<Vec<_>>()
        .join(", ");
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        os,
        kernel,
        rustc,
        date: today(),
        caches,
        threads_per_core: threads_per_core(),
    }
}

/// Hardware threads sharing CPU 0's core, from sysfs ("0,64" or "0-1" lists
/// two); 0 when Linux does not say.
pub fn threads_per_core() -> usize {
    let Ok(list) =
        std::fs::read_to_string("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list")
    else {
        return 0;
    };
    list.trim()
        .split(',')
        .map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.parse::<usize>(), b.parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 0,
            },
            None => usize::from(part.parse::<usize>().is_ok()),
        })
        .sum()
}

/// CPU 0's data and unified caches, smallest first, as Linux describes them
/// in sysfs: (`L1d`, 49152), (`L2`, 1048576), …
pub fn caches() -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for index in 0..8 {
        let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
        let read =
            |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).map(|s| s.trim().to_string());
        let (Ok(level), Ok(kind), Ok(size)) = (read("level"), read("type"), read("size")) else {
            continue;
        };
        if kind == "Instruction" {
            continue;
        }
        let bytes = match size.strip_suffix('K') {
            Some(k) => k.parse::<u64>().ok().map(|k| k << 10),
            None => size
                .strip_suffix('M')
                .and_then(|m| m.parse::<u64>().ok())
                .map(|m| m << 20),
        };
        if let Some(bytes) = bytes {
            let name = if kind == "Data" {
                format!("L{level}d")
            } else {
                format!("L{level}")
            };
            out.push((name, bytes));
        }
    }
    out.sort_by_key(|c| c.1);
    out
}

/// 48 KiB, 1 MiB, 32 MiB.
pub fn human_bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 && b.is_multiple_of(1 << 30) => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b.is_multiple_of(1 << 20) => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
pub fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A server in a child process: this program run again with `vars` set, which
/// prints the address it listens on as its first line and serves until
/// killed (on drop).
pub struct ChildServer {
    pub child: std::process::Child,
    pub addr: std::net::SocketAddr,
}

impl ChildServer {
    pub fn start(vars: &[(&str, String)]) -> anyhow::Result<ChildServer> {
        use anyhow::Context as _;
        use std::io::BufRead as _;
        // /proc/self/exe still names this program if a rebuild replaces the
        // file while the experiment runs; current_exe() would not.
        let proc_exe = std::path::Path::new("/proc/self/exe");
        let exe = if proc_exe.exists() {
            proc_exe.to_path_buf()
        } else {
            std::env::current_exe()?
        };
        let mut cmd = Command::new(exe);
        cmd.stdout(std::process::Stdio::piped());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().context("child stdout")?;
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let addr = line.trim().parse().context("child's address")?;
        Ok(ChildServer { child, addr })
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn numbers_format_for_prose() {
        assert_eq!(sig(0.012345, 3), "0.0123");
        assert_eq!(sig(123.456, 3), "123");
        assert_eq!(sig(1.5, 3), "1.50");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(human_bytes(48 << 10), "48 KiB");
        assert_eq!(human_bytes(32 << 20), "32 MiB");
        assert_eq!(human_bytes(1536 << 10), "1536 KiB");
        assert_eq!(fmt_ns(1234.0), "1.23 µs");
        assert_eq!(fmt_ns(12.0), "12.0 ns");
        assert_eq!(fmt_ns(2.5e9), "2.50 s");
    }

    #[test]
    fn median_of_skips_the_warm_up() {
        let mut runs = [50.0, 40.0, 10.0, 30.0, 20.0].into_iter();
        // The warm-up (50) is dropped; 10, 20, 30, 40 sorted, index 2 is 30.
        assert_eq!(median_of(4, || runs.next().unwrap()), 30.0);
        assert!(runs.next().is_none(), "one warm-up and four measured runs");
    }
}

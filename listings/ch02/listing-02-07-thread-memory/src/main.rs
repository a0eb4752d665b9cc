// The book's experiments (experiments/src/ch02/) compile this file and call
// its `pub` functions with more threads.
use std::sync::Barrier;
use std::thread;

// ANCHOR: status
/// The process's virtual size and resident set, in KiB, from /proc (Linux).
pub fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmSize:"), field("VmRSS:"))
}
// ANCHOR_END: status

// ANCHOR: measure
/// Starts `n` threads that wait at a barrier, measures the process's memory
/// while they all exist, then lets them finish. Returns the growth per thread
/// in KiB: (virtual, resident).
pub fn per_thread_kib(n: usize) -> (f64, f64) {
    let (virt_before, rss_before) = memory_kib();
    let gate = Barrier::new(n + 1);
    let (virt, rss) = thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| {
                gate.wait(); // everyone has started
                gate.wait(); // main has measured
            });
        }
        gate.wait();
        let now = memory_kib();
        gate.wait();
        now
    });
    let per = |after: u64, before: u64| after.saturating_sub(before) as f64 / n as f64;
    (per(virt, virt_before), per(rss, rss_before))
}
// ANCHOR_END: measure

fn main() {
    let (virt, rss) = per_thread_kib(1_000);
    println!("1000 waiting threads, per thread:");
    println!("  address space reserved: {:.0} KiB", virt);
    println!("  memory actually used:   {:.1} KiB", rss);
}

/// Spawns and joins `n` threads with a `stack` of that many bytes, one after
/// another; returns nanoseconds per thread.
pub fn spawn_join_ns(n: u32, stack: usize) -> f64 {
    let start = std::time::Instant::now();
    for i in 0..n {
        thread::Builder::new()
            .stack_size(stack)
            .spawn(move || std::hint::black_box(i))
            .expect("spawn")
            .join()
            .expect("join");
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

/// Starts threads that all wait until released, until `cap` exist or the
/// system refuses one. Returns how many ran at once and why it stopped.
pub fn how_many_threads(cap: usize) -> (usize, String) {
    use std::sync::{Arc, Condvar, Mutex};
    let release = Arc::new((Mutex::new(false), Condvar::new()));
    let mut handles = Vec::new();
    let mut stop = format!("reached the cap of {cap}");
    while handles.len() < cap {
        let release = Arc::clone(&release);
        let spawned = thread::Builder::new().stack_size(64 << 10).spawn(move || {
            let (lock, cvar) = &*release;
            let mut go = lock.lock().unwrap();
            while !*go {
                go = cvar.wait(go).unwrap();
            }
        });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                stop = format!("the system refused thread {}: {e}", handles.len() + 1);
                break;
            }
        }
    }
    let count = handles.len();
    *release.0.lock().unwrap() = true;
    release.1.notify_all();
    for h in handles {
        h.join().expect("a waiting thread panicked");
    }
    (count, stop)
}

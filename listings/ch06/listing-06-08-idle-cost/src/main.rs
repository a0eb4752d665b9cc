//! Watches 100 idle non-blocking connections for 600 ms in two ways:
//! sweeping them without pause, and sleeping 20 ms between sweeps. It measures
//! the CPU time the watching thread used and how late each loop notices a
//! byte that a client sends.

use nix::sys::resource::{UsageWho, getrusage};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// CPU time (user + system) this thread has used so far.
fn thread_cpu() -> Duration {
    let u = getrusage(UsageWho::RUSAGE_THREAD).expect("getrusage");
    let t =
        |tv: nix::sys::time::TimeVal| Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000);
    t(u.user_time()) + t(u.system_time())
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human(d: Duration) -> String {
    match d.as_secs_f64() * 1e6 {
        us if us >= 1000.0 => format!("{:.1} ms", us / 1000.0),
        us => format!("{us:.1} µs"),
    }
}

struct Outcome {
    busy: f64, // CPU time / wall time: 1.0 is a whole core
    sweeps: u64,
    reads: u64,
    late: Duration, // mean delay between a client's write and the loop seeing it
}

// ANCHOR: watch
/// Sweeps `conns` for `window`, pausing `pause` between sweeps; meanwhile a
/// client writes single bytes, each announced with its send time on `sent`.
fn watch(
    conns: &mut [TcpStream],
    pause: Option<Duration>,
    window: Duration,
    sent: &mpsc::Receiver<Instant>,
) -> Outcome {
    let (start, cpu0) = (Instant::now(), thread_cpu());
    let (mut sweeps, mut reads, mut delays) = (0, 0, Vec::new());
    let mut buf = [0u8; 64];
    while start.elapsed() < window {
        for c in conns.iter_mut() {
            reads += 1;
            match c.read(&mut buf) {
                Ok(n) if n > 0 => {
                    for _ in 0..n {
                        let when = sent.recv_timeout(Duration::from_secs(5)).unwrap();
                        delays.push(when.elapsed());
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        sweeps += 1;
        if let Some(p) = pause {
            std::thread::sleep(p); // cheap for the CPU, but nobody is served
        }
    }
    let busy = (thread_cpu() - cpu0).as_secs_f64() / start.elapsed().as_secs_f64();
    let late = delays.iter().sum::<Duration>() / delays.len().max(1) as u32;
    Outcome {
        busy,
        sweeps,
        reads,
        late,
    }
}
// ANCHOR_END: watch

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let mut clients = Vec::new();
    let mut conns = Vec::new();
    for _ in 0..100 {
        clients.push(TcpStream::connect(addr)?);
        let (c, _) = listener.accept()?;
        c.set_nonblocking(true)?;
        conns.push(c);
    }
    println!("100 idle connections, watched for 600 ms each way");
    let mut results = Vec::new();
    for pause in [None, Some(Duration::from_millis(20))] {
        let (tx, rx) = mpsc::channel();
        let mut client = clients[42].try_clone()?;
        // Twelve single bytes, spaced irregularly, from another thread.
        let pinger = std::thread::spawn(move || {
            for i in 0..12u64 {
                std::thread::sleep(Duration::from_micros(30_000 + i * 7_919 % 15_000));
                tx.send(Instant::now()).unwrap();
                client.write_all(b"!").unwrap();
            }
        });
        results.push(watch(&mut conns, pause, Duration::from_millis(600), &rx));
        pinger.join().unwrap();
        // On a loaded machine the window may close before the last bytes are
        // noticed; each unclaimed send time is one such byte. Read them now,
        // so the next round does not mistake them for its own.
        let unclaimed = rx.try_iter().count();
        let c = &mut conns[42];
        c.set_nonblocking(false)?;
        c.set_read_timeout(Some(Duration::from_secs(5)))?;
        c.read_exact(&mut vec![0; unclaimed])?;
        c.set_nonblocking(true)?;
    }
    for (name, r) in ["no pause", "20 ms pause"].iter().zip(&results) {
        println!(
            "{name}: {:.0} % of a core, {} sweeps, {} read() calls, a byte noticed after {}",
            r.busy * 100.0,
            thousands(r.sweeps),
            thousands(r.reads),
            human(r.late)
        );
    }
    let (spin, nap) = (&results[0], &results[1]);
    println!(
        "spinning burns more CPU than napping: {}",
        spin.busy > 2.0 * nap.busy
    );
    // A byte lands at a random moment of the pause: on average it waits half
    // of it, however idle or loaded the machine is (load only adds to that).
    // The check asks for a tenth, so that twelve unlucky bytes cannot flip it.
    println!(
        "napping makes a byte wait a tenth of the pause or more: {}",
        nap.late >= Duration::from_millis(2)
    );
    Ok(())
}

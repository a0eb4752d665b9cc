//! Timers fire in deadline order and never early, cancelled timers wake
//! nobody, a wake from another thread ends the reactor's wait, and sockets
//! carry data both ways.

use listing_07_13_reactor::{Elapsed, Runtime, yield_now};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("timed out: a lost wake-up?")
}

#[test]
fn ten_thousand_timers_fire_in_order_and_never_early() {
    within(|| {
        let rt = Runtime::new().unwrap();
        let fired = Rc::new(RefCell::new(Vec::new()));
        let start = Instant::now();
        for i in (0..10_000u64).rev() {
            let (r, fired) = (rt.clone(), fired.clone());
            rt.spawn(async move {
                // Deadlines fixed from `start`, 250 ms ahead, so that the time
                // spent polling 10,000 new tasks (slow in a debug build on a
                // busy machine) does not reorder them.
                let due = Duration::from_millis(250) + Duration::from_micros(i * 10);
                r.sleep(due.saturating_sub(start.elapsed())).await;
                assert!(start.elapsed() >= due, "timer {i} fired early");
                fired.borrow_mut().push(i);
            });
        }
        let r = rt.clone();
        rt.block_on(async move {
            while r.live_tasks() > 0 {
                r.sleep(Duration::from_millis(5)).await;
            }
        });
        let fired = fired.borrow();
        assert_eq!(fired.len(), 10_000);
        // Deadlines 10 µs apart on a millisecond clock may tie, never invert
        // by more than the clock's grain.
        for w in fired.windows(2) {
            assert!(w[1] + 200 > w[0], "{} fired well before {}", w[1], w[0]);
        }
    });
}

#[test]
fn timeout_cancels_its_timer_and_passes_results_through() {
    within(|| {
        let rt = Runtime::new().unwrap();
        let r = rt.clone();
        rt.block_on(async move {
            let quick = r.timeout(Duration::from_secs(60), async { 7 }).await;
            assert_eq!(quick, Ok(7));
            let slow = r
                .timeout(Duration::from_millis(20), r.sleep(Duration::from_secs(60)))
                .await;
            assert_eq!(slow, Err(Elapsed));
            // The two 60 s timers were cancelled; a short sleep must still end
            // at its own deadline (`within` bounds the wait).
            r.sleep(Duration::from_millis(10)).await;
        });
    });
}

#[test]
fn a_wake_from_another_thread_ends_the_reactor_wait() {
    within(|| {
        let rt = Runtime::new().unwrap();
        let (tx, rx) = mpsc::channel::<Waker>();
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f2 = flag.clone();
        let other = thread::spawn(move || {
            let w = rx.recv_timeout(Duration::from_secs(5)).unwrap();
            thread::sleep(Duration::from_millis(30));
            f2.store(true, std::sync::atomic::Ordering::Release);
            w.wake();
        });
        // No timer is pending: only the eventfd write can end the reactor's
        // wait, and `within` fails the test if it never does.
        rt.block_on(std::future::poll_fn(move |cx| {
            if flag.load(std::sync::atomic::Ordering::Acquire) {
                Poll::Ready(())
            } else {
                let _ = tx.send(cx.waker().clone());
                Poll::Pending
            }
        }));
        other.join().unwrap();
    });
}

#[test]
fn a_megabyte_each_way_through_a_slow_reader() {
    within(|| {
        let rt = Runtime::new().unwrap();
        let listener = rt.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let r = rt.clone();
        let server = rt.spawn(async move {
            let (mut c, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 1 << 20];
            let mut got = 0;
            while got < buf.len() {
                // Read slowly so that the writer meets a full buffer.
                r.sleep(Duration::from_micros(100)).await;
                got += c.read(&mut buf[got..]).await.unwrap();
            }
            c.write_all(&buf).await.unwrap();
            buf
        });
        let r = rt.clone();
        let data: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7) as u8).collect();
        let sent = data.clone();
        let back = rt.block_on(async move {
            let mut c = r.connect(addr).await.unwrap();
            c.write_all(&sent).await.unwrap();
            let mut back = vec![0u8; sent.len()];
            let mut got = 0;
            while got < back.len() {
                let n = c.read(&mut back[got..]).await.unwrap();
                assert!(n > 0, "closed early");
                got += n;
            }
            back
        });
        assert_eq!(back, data);
        assert_eq!(rt.block_on(server), data);
    });
}

#[test]
fn connecting_to_a_closed_port_fails_fast() {
    within(|| {
        // A socket bound to a port but not listening: a connection to it is
        // refused, and while it holds the port, no client socket can take the
        // same port and connect to itself.
        use nix::sys::socket::{
            AddressFamily, SockFlag, SockType, SockaddrIn, bind, getsockname, socket,
        };
        use std::os::fd::AsRawFd;
        let holder = socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::empty(),
            None,
        )
        .unwrap();
        bind(holder.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).unwrap();
        let port = getsockname::<SockaddrIn>(holder.as_raw_fd())
            .unwrap()
            .port();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let rt = Runtime::new().unwrap();
        let r = rt.clone();
        let res =
            rt.block_on(async move { r.timeout(Duration::from_secs(5), r.connect(addr)).await });
        assert!(matches!(res, Ok(Err(_))), "expected a refused connection");
        drop(holder);
    });
}

#[test]
fn a_thousand_connections_at_once_on_one_thread() {
    let intact = within(|| {
        let rt = Runtime::new().unwrap();
        let listener = rt.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let r = rt.clone();
        // An echo server: a task per connection.
        rt.spawn(async move {
            loop {
                let Ok((mut c, _)) = listener.accept().await else {
                    continue;
                };
                r.spawn(async move {
                    let mut buf = [0u8; 256];
                    while let Ok(n @ 1..) = c.read(&mut buf).await {
                        if c.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let r = rt.clone();
        rt.block_on(async move {
            // Connect all 1,000 first, then let each one talk.
            let mut conns = Vec::new();
            for _ in 0..1000 {
                conns.push(r.connect(addr).await.unwrap());
                // On loopback `connect` often completes without waiting, so
                // this loop would never let the accept task run: the backlog
                // fills and the kernel drops SYNs (a 1 s retransmit each).
                yield_now().await;
            }
            let handles: Vec<_> = conns
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    r.spawn(async move {
                        let msg = format!("client {i}");
                        c.write_all(msg.as_bytes()).await.unwrap();
                        let mut buf = vec![0u8; msg.len()];
                        let mut got = 0;
                        while got < buf.len() {
                            let n = c.read(&mut buf[got..]).await.unwrap();
                            assert!(n > 0, "closed early");
                            got += n;
                        }
                        buf == msg.as_bytes()
                    })
                })
                .collect();
            let mut intact = 0;
            for h in handles {
                intact += h.await as usize;
            }
            intact
        })
    });
    assert_eq!(intact, 1000);
}

#[test]
fn later_listings_carry_identical_copies() {
    let here = env!("CARGO_MANIFEST_DIR");
    let code = |t: &str| {
        t.lines()
            .skip_while(|l| l.starts_with("//!") || l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let original = code(&std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap());
    // Listing 7-14 puts its server first and the copy after a marker line.
    let marker = "// ================================ Listing 7-13's runtime, copied unchanged";
    for path in [
        "listing-07-14-echo-server/src/lib.rs",
        "listing-07-15-blocking-stall/src/runtime.rs",
    ] {
        // Absent when this folder is copied alone: nothing to compare.
        if let Ok(copy) = std::fs::read_to_string(format!("{here}/../{path}")) {
            let copy = copy
                .split_once(marker)
                .map_or(copy.as_str(), |(_, rest)| rest);
            assert!(
                code(copy.trim_start()) == original,
                "{path} differs from Listing 7-13"
            );
        }
    }
}

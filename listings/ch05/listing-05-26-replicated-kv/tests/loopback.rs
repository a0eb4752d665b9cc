//! Three nodes on loopback threads: load, bad input, a node lost.

use listing_05_26_replicated_kv::{Client, MAX_LINE, Node, Store, exchange, serve, serve_at_most};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Runs three nodes; `f` gets their addresses and a stop flag per node.
fn cluster(name: &str, f: impl FnOnce(&[SocketAddr], &[AtomicBool; 3])) {
    let dir = std::env::temp_dir().join(format!("kv-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let listeners: Vec<_> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    let stops = [(); 3].map(|_| AtomicBool::new(false));
    /// Stops the nodes even when `f` panics, so the scope can end.
    struct StopAll<'a>(&'a [AtomicBool; 3]);
    impl Drop for StopAll<'_> {
        fn drop(&mut self) {
            for stop in self.0 {
                stop.store(true, Ordering::Relaxed);
            }
        }
    }
    thread::scope(|s| {
        for (i, listener) in listeners.into_iter().enumerate() {
            let peers = (0..3).filter(|&j| j != i).map(|j| addrs[j]).collect();
            let store = Store::open(&dir.join(format!("{i}.log"))).unwrap();
            let node = Arc::new(Node {
                peers,
                store: Mutex::new(store),
            });
            let stop = &stops[i];
            s.spawn(move || serve(listener, node, stop).unwrap());
        }
        let _stop_all = StopAll(&stops);
        f(&addrs, &stops);
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

fn raw(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

#[test]
fn thousand_concurrent_clients() {
    cluster("load", |addrs, _| {
        Client::new(addrs.to_vec()).put("shared", 1, "x").unwrap();
        let barrier = Arc::new(Barrier::new(4));
        let ok: usize = thread::scope(|s| {
            (0..4)
                .map(|t| {
                    let barrier = barrier.clone();
                    s.spawn(move || {
                        // 250 connections per thread, all open at once.
                        let mut conns: Vec<TcpStream> = (0..250)
                            .map(|i| {
                                let s = TcpStream::connect(addrs[(t + i) % 3]).unwrap();
                                s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
                                s
                            })
                            .collect();
                        barrier.wait();
                        // `read` is answered by the replica alone: this
                        // tests connection handling. A thousand quorum
                        // reads at once overload the 300 ms peer timeout on
                        // two cores and come back as "err no majority".
                        for c in &mut conns {
                            c.write_all(b"read shared\n").unwrap();
                        }
                        let mut good = 0;
                        for c in &mut conns {
                            let mut buf = [0u8; 64];
                            let n = c.read(&mut buf).unwrap();
                            assert_eq!(&buf[..n], b"ok 1 x\n");
                            good += 1;
                        }
                        good
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum()
        });
        assert_eq!(ok, 1_000);
    });
}

#[test]
fn bad_input_gets_a_clear_error() {
    cluster("bad", |addrs, _| {
        let mut s = raw(addrs[0]);
        for (line, want) in [
            ("hello", "err bad request"),
            ("put bad/key 1 v", "err bad request"),
            ("put k x v", "err bad version"),
            ("get", "err bad request"),
        ] {
            assert_eq!(exchange(&mut s, line).unwrap(), want, "{line}");
        }
        // Oversized: the node stops reading at MAX_LINE and closes.
        let mut s = raw(addrs[0]);
        let big = vec![b'a'; 4 * MAX_LINE];
        let _ = s.write_all(&big);
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        assert_eq!(reply, "err line too long\n");
        // Truncated: half a line, then the client dies.
        let mut s = raw(addrs[1]);
        s.write_all(b"put k1 1 ha").unwrap();
        drop(s);
        // Not UTF-8.
        let mut s = raw(addrs[2]);
        s.write_all(b"get \xff\n").unwrap();
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        assert_eq!(reply, "err not UTF-8\n");
        // Still serving.
        let mut c = Client::new(addrs.to_vec());
        c.put("after", 1, "fine").unwrap();
        assert_eq!(c.get("after").unwrap().as_deref(), Some("fine"));
    });
}

#[test]
fn a_lost_node_loses_no_acknowledged_write() {
    cluster("lost", |addrs, stops| {
        let mut client = Client::new(addrs.to_vec());
        let mut acked = Vec::new();
        for k in 0..60 {
            if k == 20 {
                stops[0].store(true, Ordering::Relaxed);
            }
            let key = format!("k{k}");
            if client.put(&key, 1, &format!("v{k}")).is_ok() {
                acked.push(k);
            }
        }
        assert_eq!(acked.len(), 60, "two of three nodes are a majority");
        assert!(client.failovers >= 1);
        // A retried write (same version) is harmless; an older one is ignored.
        client.put("k5", 1, "v5").unwrap();
        client.put("k5", 0, "stale").unwrap();
        for k in acked {
            assert_eq!(client.get(&format!("k{k}")).unwrap(), Some(format!("v{k}")));
        }
        // With a second node gone there is no majority: an error, not an ack.
        stops[1].store(true, Ordering::Relaxed);
        // The client's timeouts bound this: six attempts at most.
        let mut lonely = Client::new(addrs.to_vec());
        assert!(lonely.put("k99", 1, "v99").is_err());
    });
}

#[test]
fn a_node_at_its_connection_limit_refuses_cleanly() {
    let dir = std::env::temp_dir().join(format!("kv-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // No peers: `read` is answered from the replica alone.
    let node = Arc::new(Node {
        peers: Vec::new(),
        store: Mutex::new(Store::open(&dir.join("0.log")).unwrap()),
    });
    let stop = AtomicBool::new(false);
    struct StopOnDrop<'a>(&'a AtomicBool);
    impl Drop for StopOnDrop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    thread::scope(|s| {
        let stop = &stop;
        s.spawn(move || serve_at_most(listener, node, stop, 2).unwrap());
        let _stop = StopOnDrop(stop);
        // Two connections, each answered once: both hold a slot.
        let mut held: Vec<TcpStream> = (0..2).map(|_| raw(addr)).collect();
        for c in &mut held {
            assert_eq!(exchange(c, "read k").unwrap(), "ok none");
        }
        // The third is told why and closed, before it sends anything.
        let mut third = raw(addr);
        let mut reply = String::new();
        third.read_to_string(&mut reply).unwrap();
        assert_eq!(reply, "err busy\n");
        // The two it holds are unaffected.
        for c in &mut held {
            assert_eq!(exchange(c, "read k").unwrap(), "ok none");
        }
        // Closing one frees its slot once the node has seen the close; a
        // new client is refused until then, so retry up to a deadline.
        drop(held.pop());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match exchange(&mut raw(addr), "read k") {
                Ok(r) if r == "ok none" => break,
                other => assert!(Instant::now() < deadline, "no slot freed: {other:?}"),
            }
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

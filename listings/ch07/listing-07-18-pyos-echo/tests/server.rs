//! The echo server on the tiny OS under load, bad peers and slow peers.
//! Every wait is bounded: socket timeouts, and `recv_timeout` on the server.

use listing_07_18_pyos_echo::{Stats, serve};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

struct Server {
    addr: SocketAddr,
    stop: UnixStream,
    done: mpsc::Receiver<Stats>,
}

fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stop_rx) = UnixStream::pair().unwrap();
    let (tx, done) = mpsc::channel();
    thread::spawn(move || {
        let stats = serve(listener, stop_rx).expect("serve");
        let _ = tx.send(stats);
    });
    Server { addr, stop, done }
}

impl Server {
    fn finish(self) -> Stats {
        drop(self.stop);
        self.done
            .recv_timeout(LIMIT)
            .expect("the OS stops once its clients have gone")
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s.set_write_timeout(Some(LIMIT)).unwrap();
    s
}

fn round_trip(s: &mut TcpStream, msg: &[u8]) -> std::io::Result<bool> {
    s.write_all(msg)?;
    let mut back = vec![0; msg.len()];
    s.read_exact(&mut back)?;
    Ok(back == msg)
}

#[test]
fn holds_a_thousand_concurrent_clients() {
    let server = start();
    let (threads, per_thread) = (4, 250);
    let all_connected = Arc::new(Barrier::new(threads));
    let (tx, rx) = mpsc::channel();
    for t in 0..threads {
        let (addr, barrier, tx) = (server.addr, all_connected.clone(), tx.clone());
        thread::spawn(move || {
            let mut socks: Vec<_> = (0..per_thread).map(|_| connect(addr)).collect();
            barrier.wait(); // all 1,000 are connected before anyone talks
            let mut good = 0;
            for (i, s) in socks.iter_mut().enumerate() {
                let msg = format!("thread {t} socket {i}\n");
                if matches!(round_trip(s, msg.as_bytes()), Ok(true)) {
                    good += 1;
                }
            }
            barrier.wait(); // and all stay connected until everyone is done
            let _ = tx.send(good);
        });
    }
    let mut good = 0;
    for _ in 0..threads {
        good += rx
            .recv_timeout(LIMIT)
            .expect("client thread finished in time");
    }
    assert_eq!(good, 1000, "every client got its echo");
    let stats = server.finish();
    assert_eq!(stats.clients, 1000);
    assert_eq!(stats.errors, 0);
    assert_eq!(stats.refused, 0);
    assert_eq!(stats.os.deadlocked, 0);
}

#[test]
fn abrupt_disconnect_is_an_error_not_a_panic() {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    let server = start();
    let mut rude = connect(server.addr);
    rude.write_all(&[7; 2000]).unwrap();
    // Linger 0: close sends a reset instead of an orderly FIN.
    setsockopt(
        &rude,
        Linger,
        &nix::libc::linger {
            l_onoff: 1,
            l_linger: 0,
        },
    )
    .unwrap();
    drop(rude);
    // A half-sent message followed by an orderly close is not an error.
    let mut half = connect(server.addr);
    half.write_all(b"no newline and no more").unwrap();
    half.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    half.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"no newline and no more");
    // The server goes on serving.
    let mut polite = connect(server.addr);
    assert!(round_trip(&mut polite, b"still there?\n").unwrap());
    drop(polite);
    let stats = server.finish();
    assert_eq!(stats.clients, 3);
    assert!(
        stats.errors <= 1,
        "only the reset client may fail: {stats:?}"
    );
}

#[test]
fn a_client_that_never_reads_blocks_only_itself() {
    let server = start();
    let hog_addr = server.addr;
    let (hog_tx, hog_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        let mut hog = connect(hog_addr);
        hog.set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        // Send until the buffers between us and the server are full.
        let mut sent = 0usize;
        while hog.write(&[1; 65536]).is_ok() {
            sent += 65536;
            assert!(
                sent < 256 << 20,
                "the server keeps reading: unbounded buffer"
            );
        }
        let _ = hog_tx.send(sent);
        let _ = release_rx.recv_timeout(LIMIT);
    });
    let stuck_after = hog_rx.recv_timeout(LIMIT).expect("the hog's writes block");
    assert!(stuck_after > 0);
    // Meanwhile, other clients are served as usual.
    let mut others: Vec<_> = (0..20).map(|_| connect(server.addr)).collect();
    for round in 0..50 {
        for s in &mut others {
            assert!(round_trip(s, format!("round {round}\n").as_bytes()).unwrap());
        }
    }
    drop(others);
    let _ = release_tx.send(()); // the hog closes without reading
    let stats = server.finish();
    assert_eq!(stats.clients, 21);
}

#[test]
fn refuses_nothing_and_stops_only_after_its_clients() {
    let server = start();
    let mut s = connect(server.addr);
    let Server { addr, stop, done } = server;
    drop(stop); // stop accepting while a client is still connected
    assert!(round_trip(&mut s, b"served after stop\n").unwrap());
    assert!(done.try_recv().is_err(), "the OS waits for its last client");
    drop(s);
    let stats = done
        .recv_timeout(LIMIT)
        .expect("stops after the last client");
    assert_eq!(stats.clients, 1);
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

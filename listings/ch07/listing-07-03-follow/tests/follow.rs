use listing_07_03_follow::Follow;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Temp(PathBuf);
impl Drop for Temp {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
fn temp(name: &str) -> Temp {
    let p = std::env::temp_dir().join(format!("follow-test-{}-{name}", std::process::id()));
    File::create(&p).unwrap();
    Temp(p)
}
fn append(p: &Temp, bytes: &[u8]) {
    OpenOptions::new()
        .append(true)
        .open(&p.0)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}
const POLL: Duration = Duration::from_millis(2);

#[test]
fn yields_only_lines_appended_after_opening() {
    let t = temp("after");
    append(&t, b"old\n");
    let mut f = Follow::open(&t.0, POLL, Duration::from_millis(100)).unwrap();
    append(&t, b"new 1\nnew 2\n");
    assert_eq!(f.next().unwrap().unwrap(), "new 1");
    assert_eq!(f.next().unwrap().unwrap(), "new 2");
    assert!(f.next().is_none());
}

#[test]
fn half_a_line_waits_for_its_newline() {
    let t = temp("partial");
    // A generous idle limit: `next` returns as soon as the rest arrives, so
    // the limit only bounds the wait if the writer never comes.
    let mut f = Follow::open(&t.0, POLL, Duration::from_secs(10)).unwrap();
    append(&t, b"GET /ha");
    let writer = {
        let p = t.0.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            OpenOptions::new()
                .append(true)
                .open(p)
                .unwrap()
                .write_all(b"lf 200\n")
                .unwrap();
        })
    };
    assert_eq!(f.next().unwrap().unwrap(), "GET /half 200");
    writer.join().unwrap();
}

#[test]
fn a_quiet_file_ends_the_iteration_in_bounded_time() {
    let t = temp("quiet");
    let f = Follow::open(&t.0, POLL, Duration::from_millis(100)).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let start = Instant::now();
        let n = f.count();
        let _ = tx.send((n, start.elapsed()));
    });
    // Bounded wait: a follower that never gives up fails here.
    let (n, took) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the follower never ended");
    assert_eq!(n, 0);
    // A lower bound, guaranteed: it waited out the idle limit.
    assert!(took >= Duration::from_millis(100));
}

#[test]
fn an_overlong_line_is_an_error_and_memory_stays_bounded() {
    let t = temp("long");
    let mut f = Follow::open(&t.0, POLL, Duration::from_millis(100))
        .unwrap()
        .max_line(1024);
    let mut big = vec![b'x'; 1 << 20];
    big.push(b'\n');
    append(&t, &big);
    append(&t, b"short\n");
    let err = f.next().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    // The rest of the long line is dropped (reported once), never read into
    // one huge allocation; the follower recovers at the next line.
    let rest: Vec<_> = f.collect();
    assert!(
        rest.iter()
            .all(|r| r.as_ref().map_or(true, |l| l.len() <= 1024))
    );
    assert_eq!(rest.last().unwrap().as_ref().unwrap(), "short");
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let t = temp("utf8");
    let mut f = Follow::open(&t.0, POLL, Duration::from_millis(100)).unwrap();
    append(&t, b"\xff\xfe bad\nfine\n");
    assert!(f.next().unwrap().is_err());
    assert_eq!(f.next().unwrap().unwrap(), "fine");
}

#[test]
fn the_pipeline_counts_matches_from_a_concurrent_writer() {
    let t = temp("pipeline");
    // The idle limit ends the count, so it must outlast any stall of the
    // writer thread on a loaded machine.
    let lines = Follow::open(&t.0, POLL, Duration::from_secs(1)).unwrap();
    let writer = {
        let p = t.0.clone();
        std::thread::spawn(move || {
            let mut log = OpenOptions::new().append(true).open(p).unwrap();
            for i in 0..1000 {
                log.write_all(
                    format!("line {i} {}\n", if i % 10 == 0 { "python" } else { "rust" })
                        .as_bytes(),
                )
                .unwrap();
            }
        })
    };
    let n = lines
        .map_while(Result::ok)
        .filter(|l| l.contains("python"))
        .count();
    writer.join().unwrap();
    assert_eq!(n, 100);
}

//! Beazley's generator pipelines over an Apache access log, as iterator
//! chains, beside hand-written loops that compute the same thing.

/// `n` lines of a synthetic Apache access log, generated deterministically:
/// about one line in eight mentions "python", one in twenty is a 404 whose
/// size is "-".
pub fn access_log(n: usize) -> String {
    const PATHS: [&str; 8] = [
        "/index.html",
        "/python/generators.html",
        "/ply/ply.html",
        "/swig/index.html",
        "/favicon.ico",
        "/papers/gil.pdf",
        "/rust/book/ch07.html",
        "/cgi-bin/search",
    ];
    let mut out = String::with_capacity(n * 96);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..n {
        // xorshift: cheap, reproducible, good enough to vary the fields.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let path = PATHS[(x % 8) as usize];
        let (status, size) = if x.is_multiple_of(20) {
            ("404", "-".to_string())
        } else {
            ("200", (x >> 40 & 0xffff).to_string())
        };
        let host = format!("10.0.{}.{}", x >> 8 & 0xff, x >> 16 & 0xff);
        let sec = i % 60;
        out.push_str(&format!(
            "{host} - - [24/Feb/2008:00:08:{sec:02} -0600] \"GET {path} HTTP/1.1\" {status} {size}\n"
        ));
    }
    out
}

// ANCHOR: bytes
/// `bytecolumn = (line.rsplit(None, 1)[1] for line in lines)`
/// `print(sum(int(x) for x in bytecolumn if x != '-'))`
pub fn bytes_sent(log: &str) -> u64 {
    log.lines()
        .filter_map(|line| line.rsplit(' ').next())
        .filter(|column| *column != "-")
        .filter_map(|column| column.parse::<u64>().ok())
        .sum()
}
// ANCHOR_END: bytes

// ANCHOR: grep
/// `sum(1 for line in lines if pattern in line)`
pub fn grep_count(log: &str, pattern: &str) -> usize {
    log.lines().filter(|line| line.contains(pattern)).count()
}

/// The same, written as the loop the chain compiles into.
pub fn grep_count_loop(log: &str, pattern: &str) -> usize {
    let mut count = 0;
    for line in log.lines() {
        if line.contains(pattern) {
            count += 1;
        }
    }
    count
}
// ANCHOR_END: grep

/// `bytes_sent` as a hand-written loop, for the comparison in `main`.
pub fn bytes_sent_loop(log: &str) -> u64 {
    let mut total = 0;
    for line in log.lines() {
        if let Some(column) = line.rsplit(' ').next()
            && column != "-"
            && let Ok(n) = column.parse::<u64>()
        {
            total += n;
        }
    }
    total
}

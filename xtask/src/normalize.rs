//! Output that legitimately varies from run to run (durations, rates, ratios,
//! addresses, thread ids, ports, process ids) is replaced by placeholders in
//! both the expected and the actual output before they are compared. What
//! remains — words, counts, results, orderings the program guarantees — must
//! match exactly.

use anyhow::{Context, Result};
use regex::Regex;
use std::sync::LazyLock;

/// The rules every listing gets, in order. A listing adds its own in
/// `[package.metadata.book] normalize = [["regex", "replacement"]]`.
static DEFAULT_RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // Rates: "1.2 GB/s", "3.4 GiB/s", "12,345 requests/s", "5.6 M/s".
        (r"\b\d[\d,]*(?:\.\d+)?(?:\s?[A-Za-zµ]+)*/s\b", "<rate>"),
        // Durations: "12 ns", "3.4 µs", "1.25ms", "2.0 s", "1m02s".
        (r"\b\d[\d,]*(?:\.\d+)?\s?(?:ns|µs|us|ms|s)\b", "<duration>"),
        // Ratios and speed-ups: "1.93x", "12x".
        (r"\b\d+(?:\.\d+)?x\b", "<ratio>x"),
        // Percentages: "97.5 %", "12%".
        (r"\b\d+(?:\.\d+)?\s?%", "<percent>"),
        (r"\b0x[0-9a-fA-F]+\b", "0x<address>"),
        (r"ThreadId\(\d+\)", "ThreadId(<id>)"),
        // Since Rust 1.91 a panic message names the OS thread id.
        (r"(thread '[^']*') \(\d+\) panicked", "$1 (<tid>) panicked"),
        (r"\b(127\.0\.0\.1|localhost|\[::1\]):\d+\b", "$1:<port>"),
        (r"\bpid \d+\b", "pid <pid>"),
    ]
    .into_iter()
    .map(|(re, rep)| (Regex::new(re).expect("valid default rule"), rep))
    .collect()
});

pub struct Normalizer {
    extra: Vec<(Regex, String)>,
}

impl Normalizer {
    pub fn new(extra: &[(String, String)]) -> Result<Normalizer> {
        let extra = extra
            .iter()
            .map(|(re, rep)| {
                Ok((
                    Regex::new(re).with_context(|| format!("bad normalize rule {re:?}"))?,
                    rep.clone(),
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Normalizer { extra })
    }

    /// The listing's own rules first (they know the program's format), then
    /// the defaults; trailing spaces and a final newline never matter.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.replace("\r\n", "\n");
        for (re, rep) in &self.extra {
            out = re.replace_all(&out, rep.as_str()).into_owned();
        }
        for (re, rep) in DEFAULT_RULES.iter() {
            out = re.replace_all(&out, *rep).into_owned();
        }
        let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
        let mut out = lines.join("\n");
        while out.ends_with('\n') {
            out.pop();
        }
        out
    }
}

/// A short unified-style report of the first differing lines.
pub fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            out.push_str(&format!(
                "  line {}:\n    expected: {}\n    actual:   {}\n",
                i + 1,
                x.unwrap_or(&"<end of output>"),
                y.unwrap_or(&"<end of output>")
            ));
            if out.lines().count() > 15 {
                out.push_str("  …\n");
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        Normalizer::new(&[]).unwrap().apply(s)
    }

    #[test]
    fn timings_rates_and_ratios_are_normalised() {
        assert_eq!(n("spawn+join: 12.3 µs\n"), "spawn+join: <duration>");
        assert_eq!(n("took 1.25ms and 2 s"), "took <duration> and <duration>");
        assert_eq!(n("copy: 11.9 GiB/s"), "copy: <rate>");
        assert_eq!(n("served 12,345 requests/s"), "served <rate>");
        assert_eq!(
            n("that is 14488 round trips/s on one"),
            "that is <rate> on one"
        );
        assert_eq!(
            n("speed-up 1.93x (limit 2x)"),
            "speed-up <ratio>x (limit <ratio>x)"
        );
        assert_eq!(
            n("at 0x7ffd3a2c, ThreadId(14)"),
            "at 0x<address>, ThreadId(<id>)"
        );
        assert_eq!(
            n("listening on 127.0.0.1:40123"),
            "listening on 127.0.0.1:<port>"
        );
        assert_eq!(
            n("thread 'main' (4242) panicked at"),
            "thread 'main' (<tid>) panicked at"
        );
        assert_eq!(n("97.5 % of the time"), "<percent> of the time");
    }

    #[test]
    fn results_and_counts_are_kept() {
        // Plain numbers are what programs compute: they must match exactly.
        assert_eq!(
            n("sum = 500000500000\n4 threads"),
            "sum = 500000500000\n4 threads"
        );
        assert_ne!(n("sum = 1"), n("sum = 2"));
        // Words next to numbers are not units.
        assert_eq!(n("3 sets, 10 steps"), "3 sets, 10 steps");
    }

    #[test]
    fn listing_rules_apply_first() {
        let norm = Normalizer::new(&[(r"worker \d+".into(), "worker N".into())]).unwrap();
        assert_eq!(
            norm.apply("worker 7 done in 3 ms  \n\n"),
            "worker N done in <duration>"
        );
    }

    #[test]
    fn diff_points_at_the_line() {
        let d = diff("a\nb\nc", "a\nB\nc");
        assert!(d.contains("line 2"), "{d}");
        assert!(
            d.contains("expected: b") && d.contains("actual:   B"),
            "{d}"
        );
    }
}

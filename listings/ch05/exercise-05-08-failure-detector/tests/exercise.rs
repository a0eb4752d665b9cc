//! Tests for this exercise. `cargo test -p exercise-05-08-failure-detector`
//! tests your `src/lib.rs`; the book's own test run adds `--features solution`
//! to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_08_failure_detector as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::Detector;

/// Heartbeats at the given times, on a detector created at time 0.
fn fed(times: &[u64]) -> Detector {
    let mut d = Detector::new(0, 10, 3.0, 20, 1_000);
    for &t in times {
        d.heartbeat(t);
    }
    d
}

#[test]
fn regular_heartbeats_keep_the_peer_alive() {
    let times: Vec<u64> = (1..=20).map(|i| i * 100).collect();
    let d = fed(&times);
    assert!(!d.suspected(2_000 + 99));
    assert!(!d.suspected(2_000 + 100));
}

#[test]
fn silence_makes_it_suspected() {
    let times: Vec<u64> = (1..=20).map(|i| i * 100).collect();
    let d = fed(&times);
    // Perfectly regular gaps: no spread, the timeout is the mean.
    assert_eq!(d.timeout(), 100);
    assert!(d.suspected(2_000 + 101));
    assert!(d.suspected(10_000));
}

#[test]
fn the_floor_bounds_the_timeout_from_below() {
    let times: Vec<u64> = (1..=20).map(|i| i * 5).collect();
    let d = fed(&times);
    assert_eq!(d.timeout(), 20);
    assert!(!d.suspected(100 + 20));
    assert!(d.suspected(100 + 21));
}

#[test]
fn a_jittery_peer_gets_more_slack() {
    // Gaps alternate 50 and 150 ms: mean 100, standard deviation 50.
    let mut t = 0;
    let mut times = Vec::new();
    for i in 0..20 {
        t += if i % 2 == 0 { 50 } else { 150 };
        times.push(t);
    }
    let d = fed(&times);
    assert_eq!(d.timeout(), 250);
    assert!(!d.suspected(t + 200));
    assert!(d.suspected(t + 251));
}

#[test]
fn before_two_gaps_the_initial_timeout_applies() {
    let d = fed(&[]);
    assert_eq!(d.timeout(), 1_000);
    assert!(!d.suspected(1_000));
    assert!(
        d.suspected(1_001),
        "never heard from, counted from creation"
    );
    let d = fed(&[500, 600]);
    assert_eq!(d.timeout(), 1_000);
    assert!(!d.suspected(1_600));
    assert!(d.suspected(1_601));
}

#[test]
fn old_gaps_are_forgotten() {
    // A slow regime (gaps of 1,000 ms), then a fast one (gaps of 100 ms).
    let mut times: Vec<u64> = (1..=10).map(|i| i * 1_000).collect();
    times.extend((1..=10).map(|i| 10_000 + i * 100));
    let d = fed(&times);
    assert_eq!(d.timeout(), 100, "only the last 10 gaps count");
}

#[test]
fn reordered_heartbeats_are_ignored() {
    let mut d = fed(&[100, 200, 300, 400]);
    d.heartbeat(250); // arrives late, carries an old timestamp
    assert_eq!(d.timeout(), 100);
    assert!(d.suspected(501));
}

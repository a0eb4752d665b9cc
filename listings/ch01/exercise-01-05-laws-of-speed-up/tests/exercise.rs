//! Tests for Exercise 1-5. `cargo test -p exercise-01-05-laws-of-speed-up`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_01_05_laws_of_speed_up as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn amdahl_known_values() {
    assert!(
        close(ex::amdahl(0.0, 8.0), 8.0),
        "no serial part: linear speed-up"
    );
    assert!(close(ex::amdahl(1.0, 8.0), 1.0), "all serial: no speed-up");
    assert!(close(ex::amdahl(0.25, 2.0), 1.6));
    assert!(close(ex::amdahl(0.1, 10.0), 1.0 / 0.19));
}

#[test]
fn the_ceiling_is_the_limit() {
    assert!(close(ex::ceiling(0.25), 4.0));
    assert!(close(ex::ceiling(0.05), 20.0));
    assert!((ex::amdahl(0.25, 1e12) - ex::ceiling(0.25)).abs() < 1e-6);
}

#[test]
fn karp_flatt_inverts_amdahl() {
    for serial in [0.0, 0.05, 0.3, 0.9] {
        for p in [2.0, 4.0, 64.0] {
            let s = ex::amdahl(serial, p);
            assert!(
                close(ex::karp_flatt(s, p), serial),
                "serial {serial} on {p}"
            );
        }
    }
    // A measured 1.5x on 2 cores means a third of the time was serial.
    assert!(close(ex::karp_flatt(1.5, 2.0), 1.0 / 3.0));
}

#[test]
fn gustafson_scales_with_the_problem() {
    assert!(close(ex::gustafson(0.25, 4.0), 3.25));
    assert!(close(ex::gustafson(0.0, 16.0), 16.0));
    assert!(close(ex::gustafson(1.0, 16.0), 1.0));
    assert!(ex::gustafson(0.25, 64.0) > ex::amdahl(0.25, 64.0));
}

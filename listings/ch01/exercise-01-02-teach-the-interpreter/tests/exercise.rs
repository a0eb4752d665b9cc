//! Tests for Exercise 1-2. `cargo test -p exercise-01-02-teach-the-interpreter`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_01_02_teach_the_interpreter as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::Op;

#[test]
fn add_and_mul_pop_two_and_push_one() {
    let mut locals = [0];
    let code = [
        Op::Const(6),
        Op::Const(7),
        Op::Mul,
        Op::Const(-2),
        Op::Add,
        Op::Store(0),
        Op::Return,
    ];
    assert_eq!(ex::run(&code, &mut locals), 7);
    assert_eq!(locals[0], 40);
}

#[test]
fn factorials_are_right() {
    let mut expected = 1i64;
    for n in 0..=20 {
        if n > 0 {
            expected *= n;
        }
        assert_eq!(ex::factorial(n), expected, "{n}!");
    }
    assert_eq!(ex::factorial(-3), 1, "n <= 0 gives 1");
}

#[test]
fn the_program_loops_instead_of_unrolling() {
    // A loop runs a fixed body per step: the count of instructions grows by
    // the same amount for each extra n.
    let count = |n: i64| {
        let mut locals = [n, 0];
        ex::run(&ex::factorial_program(), &mut locals)
    };
    let step = count(2) - count(1);
    assert!(
        step > 0 && step < 20,
        "one loop iteration took {step} instructions"
    );
    assert_eq!(count(10) - count(9), step);
    assert!(ex::factorial_program().len() < 30);
}

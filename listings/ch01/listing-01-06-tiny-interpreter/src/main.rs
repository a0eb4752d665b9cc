// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::time::Instant;

// ANCHOR: vm
/// A stack machine's instructions, in the style of CPython's bytecode.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Push the value of a local variable.
    Load(usize),
    /// Pop a value into a local variable.
    Store(usize),
    /// Push a constant.
    Const(i64),
    /// Pop `b`, pop `a`, push `a - b`.
    Sub,
    /// Pop a value; jump to the target if it is zero or less.
    JumpIfNotPositive(usize),
    Jump(usize),
    Return,
}

/// Runs `code` on `locals`; returns how many instructions it executed.
pub fn run(code: &[Op], locals: &mut [i64]) -> u64 {
    let mut stack: Vec<i64> = Vec::with_capacity(8);
    let mut pc = 0;
    let mut executed = 0;
    loop {
        let op = code[pc];
        pc += 1;
        executed += 1;
        // The dispatch: one branch per instruction, every time round.
        match op {
            Op::Load(slot) => stack.push(locals[slot]),
            Op::Store(slot) => locals[slot] = stack.pop().expect("stack underflow"),
            Op::Const(value) => stack.push(value),
            Op::Sub => {
                let b = stack.pop().expect("stack underflow");
                let a = stack.pop().expect("stack underflow");
                stack.push(a - b);
            }
            Op::JumpIfNotPositive(target) => {
                if stack.pop().expect("stack underflow") <= 0 {
                    pc = target;
                }
            }
            Op::Jump(target) => pc = target,
            Op::Return => return executed,
        }
    }
}
// ANCHOR_END: vm

// ANCHOR: program
/// `while n > 0: n -= 1`, compiled by hand; `n` is local 0.
pub fn countdown() -> Vec<Op> {
    vec![
        Op::Load(0),              // 0: push n
        Op::JumpIfNotPositive(7), // 1: leave the loop when n <= 0
        Op::Load(0),              // 2: push n
        Op::Const(1),             // 3: push 1
        Op::Sub,                  // 4: n - 1
        Op::Store(0),             // 5: n = n - 1
        Op::Jump(0),              // 6: round again
        Op::Return,               // 7
    ]
}
// ANCHOR_END: program

fn main() {
    let n: i64 = 10_000_000;
    let code = countdown();
    let mut locals = [n];
    let start = Instant::now();
    let executed = run(black_box(&code), &mut locals);
    let interpreted = start.elapsed();

    let start = Instant::now();
    let mut m = n;
    while black_box(m) > 0 {
        m -= 1;
    }
    let native = start.elapsed();

    let per_iteration = |t: std::time::Duration| t.as_nanos() as f64 / n as f64;
    println!(
        "interpreted: {executed} instructions for {n} iterations (n ends at {})",
        locals[0]
    );
    println!("  {:.2} ns per iteration", per_iteration(interpreted));
    println!("native:      {:.2} ns per iteration", per_iteration(native));
    println!(
        "the interpreter is {:.0}x slower",
        per_iteration(interpreted) / per_iteration(native).max(0.01)
    );
}

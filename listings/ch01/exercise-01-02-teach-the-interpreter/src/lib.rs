// Remove this line when you are done: it silences the warnings about
// variables that the `todo!()`s do not use yet.
#![allow(unused_variables)]

/// The instructions of Listing 1-6, and two new ones.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    Load(usize),
    Store(usize),
    Const(i64),
    Sub,
    /// New: pop `b`, pop `a`, push `a + b`.
    Add,
    /// New: pop `b`, pop `a`, push `a * b`.
    Mul,
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
        match op {
            Op::Load(slot) => stack.push(locals[slot]),
            Op::Store(slot) => locals[slot] = stack.pop().expect("stack underflow"),
            Op::Const(value) => stack.push(value),
            Op::Sub => {
                let b = stack.pop().expect("stack underflow");
                let a = stack.pop().expect("stack underflow");
                stack.push(a - b);
            }
            Op::Add => todo!("pop two values, push their sum"),
            Op::Mul => todo!("pop two values, push their product"),
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

/// A program that computes `n!` for `n` in local 0, leaving the result in
/// local 1 (and `1` for `n <= 0`).
pub fn factorial_program() -> Vec<Op> {
    todo!("hand-compile: acc = 1; while n > 0: acc = acc * n; n = n - 1")
}

/// Runs [`factorial_program`] for `n` and returns the result.
pub fn factorial(n: i64) -> i64 {
    let mut locals = [n, 0];
    run(&factorial_program(), &mut locals);
    locals[1]
}

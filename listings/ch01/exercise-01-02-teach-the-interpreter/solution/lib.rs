/// The instructions of Listing 1-6, and two new ones.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    Load(usize),
    Store(usize),
    Const(i64),
    Sub,
    /// Pop `b`, pop `a`, push `a + b`.
    Add,
    /// Pop `b`, pop `a`, push `a * b`.
    Mul,
    JumpIfNotPositive(usize),
    Jump(usize),
    Return,
}

/// Pops the two operands of a binary instruction, `a` below `b`.
fn operands(stack: &mut Vec<i64>) -> (i64, i64) {
    let b = stack.pop().expect("stack underflow");
    let a = stack.pop().expect("stack underflow");
    (a, b)
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
                let (a, b) = operands(&mut stack);
                stack.push(a - b);
            }
            Op::Add => {
                let (a, b) = operands(&mut stack);
                stack.push(a + b);
            }
            Op::Mul => {
                let (a, b) = operands(&mut stack);
                stack.push(a * b);
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

/// `acc = 1; while n > 0: acc = acc * n; n = n - 1`, with `n` in local 0 and
/// `acc` in local 1.
pub fn factorial_program() -> Vec<Op> {
    vec![
        Op::Const(1),              // 0
        Op::Store(1),              // 1: acc = 1
        Op::Load(0),               // 2: while n > 0
        Op::JumpIfNotPositive(13), // 3
        Op::Load(1),               // 4
        Op::Load(0),               // 5
        Op::Mul,                   // 6
        Op::Store(1),              // 7: acc = acc * n
        Op::Load(0),               // 8
        Op::Const(1),              // 9
        Op::Sub,                   // 10
        Op::Store(0),              // 11: n = n - 1
        Op::Jump(2),               // 12
        Op::Return,                // 13
    ]
}

/// Runs [`factorial_program`] for `n` and returns the result.
pub fn factorial(n: i64) -> i64 {
    let mut locals = [n, 0];
    run(&factorial_program(), &mut locals);
    locals[1]
}

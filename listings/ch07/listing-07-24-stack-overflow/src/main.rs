//! A coroutine's stack has a fixed size chosen when it is created. Run
//! past it and you touch the guard page below it: the kernel raises
//! SIGSEGV and the process dies. It never silently overwrites other memory.

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

// ANCHOR: overflow
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};

/// About 1 KiB of stack per level: `black_box` keeps the array real.
fn descend(level: u32) -> u64 {
    let frame = std::hint::black_box([level as u8; 1024]);
    if level == 0 {
        return frame[0] as u64;
    }
    descend(level - 1) + frame[1023] as u64
}

/// Runs `descend(levels)` on a coroutine whose stack holds `stack_bytes`.
fn on_coroutine(stack_bytes: usize, levels: u32) -> u64 {
    let stack = DefaultStack::new(stack_bytes).expect("mmap a stack");
    let mut co = Coroutine::with_stack(stack, move |_, ()| descend(levels));
    match co.resume(()) {
        CoroutineResult::Return(sum) => sum,
        CoroutineResult::Yield(()) => unreachable!("descend never yields"),
    }
}
// ANCHOR_END: overflow

const CHILD: &str = "LISTING_07_24_CHILD";

// ANCHOR: main
fn main() {
    if std::env::var_os(CHILD).is_some() {
        // 200 levels × 1 KiB on a 64 KiB stack: this never returns.
        println!("{}", on_coroutine(64 * 1024, 200));
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let status = Command::new(exe)
        .env(CHILD, "1")
        .status()
        .expect("run child");
    match status.signal() {
        Some(11) /* SIGSEGV */ => println!("64 KiB stack, 200 levels: child killed by SIGSEGV (guard page)"),
        other => println!("64 KiB stack, 200 levels: unexpected end: {status} {other:?}"),
    }
    let sum = on_coroutine(1024 * 1024, 200);
    println!("1 MiB stack, 200 levels: returned {sum}");
}
// ANCHOR_END: main

//! Permutations produced by plain recursion, consumed lazily as an iterator.

use std::cell::Cell;
use std::rc::Rc;

// ANCHOR: walk
use corosensei::{Coroutine, CoroutineResult, Yielder};

/// Ordinary recursion: no `async`, no state machine. The yield happens
/// `xs.len()` calls deep, and every frame above it waits on the
/// coroutine's stack until the consumer asks for the next value.
// ANCHOR: recurse
fn permute(xs: &mut [char], k: usize, out: &Yielder<(), String>, live: &Frames) {
    let _frame = live.enter();
    if k == xs.len() {
        out.suspend(xs.iter().collect());
        return;
    }
    for i in k..xs.len() {
        xs.swap(k, i);
        permute(xs, k + 1, out, live);
        xs.swap(k, i);
    }
}
// ANCHOR_END: recurse

/// Any coroutine that yields and returns nothing is an iterator.
struct Generator<T: 'static>(Coroutine<(), T, ()>);

impl<T> Iterator for Generator<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.0.done() {
            return None;
        }
        match self.0.resume(()) {
            CoroutineResult::Yield(value) => Some(value),
            CoroutineResult::Return(()) => None,
        }
    }
}

fn permutations(word: &str, frames: Frames) -> Generator<String> {
    let mut items: Vec<char> = word.chars().collect();
    Generator(Coroutine::new(move |out, ()| {
        permute(&mut items, 0, out, &frames)
    }))
}
// ANCHOR_END: walk

/// Counts live recursion frames, to show what a suspended coroutine holds.
#[derive(Clone, Default)]
struct Frames(Rc<Cell<usize>>);

struct FrameGuard(Rc<Cell<usize>>);

impl Frames {
    fn enter(&self) -> FrameGuard {
        self.0.set(self.0.get() + 1);
        FrameGuard(self.0.clone())
    }
    fn live(&self) -> usize {
        self.0.get()
    }
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

// ANCHOR: main
fn main() {
    let all: Vec<String> = permutations("abc", Frames::default()).collect();
    println!("permutations of abc: {}", all.join(" "));

    // 10! = 3,628,800 permutations exist; only four are ever computed.
    let frames = Frames::default();
    let mut lazy = permutations("0123456789", frames.clone());
    let first: Vec<String> = lazy.by_ref().take(4).collect();
    println!("first four of 10!: {}", first.join(" "));
    println!(
        "frames suspended on the coroutine's stack: {}",
        frames.live()
    );
    drop(lazy); // corosensei unwinds the suspended stack, running every Drop
    println!("frames after dropping the iterator: {}", frames.live());
}
// ANCHOR_END: main

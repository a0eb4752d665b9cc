//! A round-robin scheduler of stackful coroutines ("green threads").
//!
//! Each green thread runs on its own stack. `yield_now` saves its registers
//! and switches back to the scheduler, which resumes the next thread in the
//! queue. Nothing is preemptive: a thread that never yields keeps the CPU.

// ANCHOR: scheduler
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};
use std::collections::VecDeque;

/// What a green thread holds to give up the CPU.
pub type Yielder = corosensei::Yielder<(), ()>;

type Green = Coroutine<(), (), (), DefaultStack>;

pub struct Scheduler {
    ready: VecDeque<Green>,
    stack_size: usize,
}

impl Scheduler {
    /// Every green thread gets a stack of `stack_size` bytes plus a guard page.
    pub fn new(stack_size: usize) -> Scheduler {
        Scheduler {
            ready: VecDeque::new(),
            stack_size,
        }
    }

    pub fn spawn(&mut self, body: impl FnOnce(&Yielder) + 'static) -> std::io::Result<()> {
        let stack = DefaultStack::new(self.stack_size)?;
        let green = Coroutine::with_stack(stack, move |y: &Yielder, ()| body(y));
        self.ready.push_back(green);
        Ok(())
    }

    /// Runs until every green thread has finished; returns the number of
    /// switches into a green thread.
    // ANCHOR: run
    pub fn run(&mut self) -> u64 {
        let mut switches = 0;
        while let Some(mut green) = self.ready.pop_front() {
            switches += 1;
            match green.resume(()) {
                CoroutineResult::Yield(()) => self.ready.push_back(green),
                CoroutineResult::Return(()) => {} // finished: its stack is unmapped
            }
        }
        switches
    }
    // ANCHOR_END: run
}

/// Gives the CPU to the next green thread in the queue.
pub fn yield_now(y: &Yielder) {
    y.suspend(());
}
// ANCHOR_END: scheduler

// ANCHOR: channel
use std::cell::RefCell;
use std::rc::Rc;

/// A queue between green threads of one scheduler (one OS thread: `Rc`).
pub struct Channel<T>(Rc<RefCell<VecDeque<T>>>);

impl<T> Clone for Channel<T> {
    fn clone(&self) -> Self {
        Channel(self.0.clone())
    }
}

impl<T> Default for Channel<T> {
    fn default() -> Self {
        Channel(Rc::default())
    }
}

impl<T> Channel<T> {
    pub fn send(&self, value: T) {
        self.0.borrow_mut().push_back(value);
    }

    /// Reads like a blocking call; underneath, it yields until a value is
    /// there. Callers several frames up never know they were suspended.
    pub fn recv(&self, y: &Yielder) -> T {
        loop {
            if let Some(value) = self.0.borrow_mut().pop_front() {
                return value;
            }
            yield_now(y);
        }
    }
}
// ANCHOR_END: channel

// Remove this line when you are done: it silences the warnings about
// imports that the `todo!()` does not use yet.
#![allow(unused_imports)]

use corosensei::{Coroutine, CoroutineResult};
use std::collections::{HashMap, VecDeque};

/// A green thread's number: its position in spawn order, from 0.
pub type TaskId = usize;

/// What a green thread asks of the scheduler when it suspends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Let the others run; resume me at my next turn.
    Yield,
    /// Resume me only once this thread has finished.
    Join(TaskId),
}

pub type Yielder = corosensei::Yielder<(), Request>;

/// Gives the CPU to the next ready thread.
pub fn yield_now(y: &Yielder) {
    y.suspend(Request::Yield);
}

/// Returns once thread `id` has finished (at once if it already has).
pub fn join(y: &Yielder, id: TaskId) {
    y.suspend(Request::Join(id));
}

#[derive(Debug, PartialEq, Eq)]
pub enum RunError {
    /// Every unfinished thread waits for another unfinished thread: the
    /// waiting ids, sorted.
    Deadlock(Vec<TaskId>),
}

type Green = Coroutine<(), Request, ()>;

#[derive(Default)]
pub struct Scheduler {
    /// Slot `id` holds thread `id` until it finishes.
    tasks: Vec<Option<Green>>,
}

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler::default()
    }

    /// Adds a thread (not started until `run`); ids count up from 0.
    pub fn spawn(&mut self, body: impl FnOnce(&Yielder) + 'static) -> TaskId {
        self.tasks
            .push(Some(Coroutine::new(move |y: &Yielder, ()| body(y))));
        self.tasks.len() - 1
    }

    /// Runs every spawned thread round robin, in spawn order, until all have
    /// finished; returns the ids in the order they finished.
    pub fn run(&mut self) -> Result<Vec<TaskId>, RunError> {
        todo!("a ready queue, a map of waiters, and the list of finished ids")
    }
}

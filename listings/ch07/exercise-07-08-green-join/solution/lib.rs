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
        let mut ready: VecDeque<TaskId> = (0..self.tasks.len())
            .filter(|&id| self.tasks[id].is_some())
            .collect();
        let mut waiters: HashMap<TaskId, Vec<TaskId>> = HashMap::new();
        let mut finished = Vec::new();
        let is_done =
            |tasks: &[Option<Green>], id: TaskId| tasks.get(id).is_none_or(Option::is_none);
        while let Some(id) = ready.pop_front() {
            let mut green = self.tasks[id]
                .take()
                .expect("a ready thread has its coroutine");
            match green.resume(()) {
                CoroutineResult::Return(()) => {
                    finished.push(id);
                    ready.extend(waiters.remove(&id).unwrap_or_default());
                }
                CoroutineResult::Yield(request) => {
                    self.tasks[id] = Some(green);
                    match request {
                        Request::Join(target) if !is_done(&self.tasks, target) => {
                            waiters.entry(target).or_default().push(id);
                        }
                        Request::Join(_) | Request::Yield => ready.push_back(id),
                    }
                }
            }
        }
        if waiters.is_empty() {
            return Ok(finished);
        }
        let mut stuck: Vec<TaskId> = waiters.into_values().flatten().collect();
        stuck.sort_unstable();
        Err(RunError::Deadlock(stuck))
    }
}

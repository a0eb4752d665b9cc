use nix::sys::resource::{UsageWho, getrusage};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

// ANCHOR: busy
/// Ready once the clock passes the deadline. It arranges no wake-up: only
/// an executor that polls again and again ever sees it finish.
struct Deadline(Instant);

impl Future for Deadline {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Round-robin over all unfinished tasks; returns how many polls it took.
fn run_busy(tasks: Vec<Task>) -> u64 {
    let mut queue: VecDeque<Task> = tasks.into();
    let mut cx = Context::from_waker(Waker::noop()); // wakes are ignored
    let mut polls = 0;
    while let Some(mut task) = queue.pop_front() {
        polls += 1;
        if task.as_mut().poll(&mut cx).is_pending() {
            queue.push_back(task); // not done: poll it again next round
        }
    }
    polls
}
// ANCHOR_END: busy

fn main() {
    let start = Instant::now();
    let tasks: Vec<Task> = [20, 40, 60]
        .into_iter()
        .map(|ms| {
            let deadline = start + Duration::from_millis(ms);
            Box::pin(Deadline(deadline)) as Task
        })
        .collect();
    let cpu_before = thread_cpu();
    let polls = run_busy(tasks);
    let (wall, cpu) = (start.elapsed(), thread_cpu() - cpu_before);
    println!(
        "3 tasks finished; more than 10,000 polls: {}",
        polls > 10_000
    );
    let busy = 100.0 * cpu.as_secs_f64() / wall.as_secs_f64();
    println!("the executor thread was on the CPU for {busy:.0} % of the wait");
}

/// CPU time the calling thread has used so far (user + system).
fn thread_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_THREAD).expect("getrusage");
    let (u, s) = (usage.user_time(), usage.system_time());
    let micros = (u.tv_sec() + s.tv_sec()) * 1_000_000 + u.tv_usec() + s.tv_usec();
    Duration::from_micros(micros as u64)
}

//! A running total kept by a coroutine: each `resume` sends a number in,
//! each `suspend` sends the total so far back out.

// ANCHOR: main
use corosensei::{Coroutine, CoroutineResult, Yielder};

fn main() {
    // Input = i64 (what resume sends), Yield = i64 (what suspend sends
    // back), Return = String (what the closure returns at the end).
    let mut totaliser = Coroutine::new(|yielder: &Yielder<i64, i64>, first: i64| {
        // `total` and `seen` are ordinary locals: they live on the
        // coroutine's own stack and survive every suspend.
        let mut total = first;
        let mut seen = 1;
        loop {
            let next = yielder.suspend(total); // back to main, until resumed
            if next < 0 {
                return format!("{seen} numbers, total {total}");
            }
            total += next;
            seen += 1;
        }
    });

    for n in [5, 10, 20, -1] {
        match totaliser.resume(n) {
            CoroutineResult::Yield(total) => println!("sent {n:>2}, running total {total}"),
            CoroutineResult::Return(summary) => println!("sent {n:>2}, finished: {summary}"),
        }
    }
    println!("done: {}", totaliser.done());
}
// ANCHOR_END: main

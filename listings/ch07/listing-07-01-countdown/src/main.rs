//! Python's `def countdown(n): ... yield n` as a struct plus `Iterator::next`.

// ANCHOR: countdown
/// Where the "generator" is paused: before its first line, inside its loop
/// holding `n`, or finished.
enum Countdown {
    Start(u32),
    Running(u32),
    Done,
}

impl Iterator for Countdown {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        // Each arm resumes from one pause point and stops at the next one.
        match *self {
            Countdown::Start(n) => {
                println!("  (counting down from {n})");
                *self = Countdown::Running(n);
                self.next()
            }
            Countdown::Running(0) => {
                println!("  (done)");
                *self = Countdown::Done;
                None
            }
            Countdown::Running(n) => {
                *self = Countdown::Running(n - 1);
                Some(n)
            }
            Countdown::Done => None,
        }
    }
}

fn countdown(n: u32) -> Countdown {
    // Like calling a generator function: nothing of its body runs yet.
    Countdown::Start(n)
}
// ANCHOR_END: countdown

// ANCHOR: main
fn main() {
    let mut c = countdown(3);
    println!("created; size {} bytes, no heap", std::mem::size_of_val(&c));
    println!("first next() -> {:?}", c.next());
    for n in c.by_ref() {
        println!("for loop got {n}");
    }
    println!("after the end -> {:?}", c.next());
}
// ANCHOR_END: main

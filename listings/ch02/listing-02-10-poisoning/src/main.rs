use std::sync::Mutex;
use std::thread;

fn main() {
    let balance = Mutex::new(100_i64);
    thread::scope(|s| {
        let _ = s
            .spawn(|| {
                let mut b = balance.lock().unwrap();
                *b -= 30; // first half of an update…
                panic!("interrupted between the two halves of an update");
            })
            .join(); // the panic stays in its thread
    });
    // ANCHOR: recover
    match balance.lock() {
        Ok(b) => println!("balance: {}", *b),
        Err(poisoned) => {
            // The lock works, but warns that a thread died holding it: the
            // data may break an invariant. Here we decide to accept it.
            let b = poisoned.into_inner();
            println!("the lock is poisoned; the balance it holds is {}", *b);
        }
    }
    // ANCHOR_END: recover
    println!("is it still poisoned? {}", balance.is_poisoned());
}

use std::sync::{Barrier, RwLock};
use std::thread;

struct Config {
    greeting: String,
    version: u32,
}

fn main() {
    let config = RwLock::new(Config {
        greeting: "hello".into(),
        version: 1,
    });
    let readers = 4;
    let all_inside = Barrier::new(readers);
    thread::scope(|s| {
        for id in 0..readers {
            let (config, all_inside) = (&config, &all_inside);
            s.spawn(move || {
                let c = config.read().unwrap();
                // Every reader waits here until all of them hold a read guard.
                // With a `Mutex` in place of the `RwLock`, this would never end.
                all_inside.wait();
                assert_eq!(
                    (c.greeting.as_str(), c.version),
                    ("hello", 1),
                    "reader {id}"
                );
            });
        }
    });
    println!("{readers} readers held the lock at the same time");
    // ANCHOR: write
    {
        let mut c = config.write().unwrap(); // waits until no reader is left
        c.greeting = "bonjour".into();
        c.version += 1;
    }
    // ANCHOR_END: write
    let c = config.read().unwrap();
    println!("after one writer: {} (version {})", c.greeting, c.version);
}

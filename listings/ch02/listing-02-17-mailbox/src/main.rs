use listing_02_17_mailbox::mailbox;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let (sender, receiver) = mailbox();
    let reader = thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(value) = receiver.try_receive() {
                return value;
            }
            assert!(Instant::now() < deadline, "nothing arrived within 5 s");
            std::hint::spin_loop();
        }
    });
    sender.send(42);
    println!("the reader received {}", reader.join().unwrap());
}

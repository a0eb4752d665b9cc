use listing_02_17_mailbox::mailbox;
use std::thread;

fn main() {
    let (sender, receiver) = mailbox();
    let reader = thread::spawn(move || {
        loop {
            if let Some(value) = receiver.try_receive() {
                return value;
            }
            std::hint::spin_loop();
        }
    });
    sender.send(42);
    println!("the reader received {}", reader.join().unwrap());
}

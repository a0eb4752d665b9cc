use std::thread;

fn main() {
    // A thread's closure returns a value; `join` hands it back.
    let adder = thread::spawn(|| (1..=1_000_000u64).sum::<u64>());
    let sum = adder.join().expect("the adder does not panic");
    println!("the adder returned {sum}");

    // A panic ends only its own thread; `join` returns it as an `Err`.
    let failing = thread::spawn(|| -> u64 {
        let input = "forty-two";
        input.parse().expect("the input is a number")
    });
    match failing.join() {
        Ok(n) => println!("parsed {n}"),
        Err(payload) => {
            // The payload is whatever `panic!` was given: here a `String`.
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(not a string)");
            println!("the parser panicked: {message}");
        }
    }
    println!("main carries on");
}

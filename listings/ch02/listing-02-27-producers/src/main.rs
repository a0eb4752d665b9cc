use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread;

fn main() {
    let (tx, rx) = mpsc::channel::<(usize, u64)>();
    // ANCHOR: produce
    for producer in 0..3 {
        let tx = tx.clone(); // one sender per producer
        thread::spawn(move || {
            for i in 0..1_000 {
                tx.send((producer, i)).expect("the consumer is listening");
            }
            // `tx` is dropped here: this producer is done.
        });
    }
    drop(tx); // main's own sender: without this, the loop below never ends
    // ANCHOR_END: produce

    // ANCHOR: consume
    // Receives until every sender is gone and the queue is empty.
    let mut per_producer = BTreeMap::new();
    for (producer, value) in rx {
        *per_producer.entry(producer).or_insert(0) += value;
    }
    // ANCHOR_END: consume
    println!("sums per producer: {per_producer:?}");
}

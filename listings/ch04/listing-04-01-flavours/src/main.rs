use crossbeam_channel::{RecvTimeoutError, bounded, unbounded};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    // ANCHOR: std
    // std, unbounded: a send never waits, however far ahead the sender runs.
    let (tx, rx) = mpsc::channel::<u32>();
    for i in 0..1_000 {
        tx.send(i).unwrap();
    }
    println!("std channel():         1000 sends, none waited");
    let drained = rx.try_iter().count();
    println!("  drained {drained}, then try_recv: {:?}", rx.try_recv());
    drop(tx);
    println!("  sender dropped, try_recv: {:?}", rx.try_recv());

    // std, bounded: room for two, the third is refused by try_send.
    let (tx, _rx) = mpsc::sync_channel::<u32>(2);
    let tries: Vec<_> = (1..=3).map(|i| tx.try_send(i)).collect();
    println!("std sync_channel(2):   try_send x3: {tries:?}");
    // ANCHOR_END: std

    // ANCHOR: crossbeam
    let (tx, rx) = bounded::<u32>(2);
    let tries: Vec<_> = (1..=3).map(|i| tx.try_send(i)).collect();
    println!("crossbeam bounded(2):  try_send x3: {tries:?}");
    println!("  len {} of capacity {:?}", rx.len(), rx.capacity());
    drop(rx);
    println!("  receiver dropped, try_send: {:?}", tx.try_send(4));

    let (tx, rx) = unbounded::<u32>();
    tx.send(1).unwrap();
    drop(tx);
    println!("crossbeam unbounded(): capacity {:?}", rx.capacity());
    // Closing does not lose what is queued: it is delivered first.
    println!(
        "  sender dropped: recv {:?}, then {:?}",
        rx.recv(),
        rx.recv()
    );

    // Rendezvous: no slot at all, a send completes only in a receiver's hands.
    let (tx, rx) = bounded::<u32>(0);
    println!("crossbeam bounded(0):  try_send: {:?}", tx.try_send(1));
    let (sent_tx, sent) = bounded::<()>(1);
    let sender = thread::spawn(move || {
        tx.send(7).unwrap(); // waits here until main receives
        sent_tx.send(()).unwrap();
    });
    let early = sent.recv_timeout(Duration::from_millis(200));
    println!(
        "  after 200 ms with no receiver, send done? {}",
        early.is_ok()
    );
    println!("  recv: {:?}", rx.recv());
    let late = sent.recv_timeout(Duration::from_secs(10));
    println!("  now send done? {}", late.is_ok());
    // ANCHOR_END: crossbeam
    sender.join().unwrap();
    assert_eq!(early, Err(RecvTimeoutError::Timeout));
}

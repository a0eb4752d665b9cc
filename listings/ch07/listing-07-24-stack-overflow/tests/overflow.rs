use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[test]
fn the_overflow_is_caught_and_the_sized_stack_completes() {
    // A bounded wait, not a timing claim: the listing (and the child it
    // starts) must finish, however slowly, within a generous limit.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_listing-07-24-stack-overflow")).output();
        let _ = tx.send(out);
    });
    let out = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the listing finished in time")
        .expect("run the listing");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("child killed by SIGSEGV"), "{text}");
    assert!(text.contains("returned 20100"), "{text}");
}

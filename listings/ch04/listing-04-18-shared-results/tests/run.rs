//! Runs the program (parent and re-executed children) and checks what it
//! reports, with a bounded wait.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run() -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_listing-04-18-shared-results"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("the program did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert!(out.status.success(), "the program failed");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn every_result_arrives_in_the_shared_array() {
    let out = run();
    assert!(out.contains("4 workers filled 4194304 results"), "{out}");
    assert!(out.contains("wrong or missing: 0"), "{out}");
}

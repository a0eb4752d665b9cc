//! The Python half of the listing: unpickling runs the code the payload names.

use std::process::Command;

#[test]
fn unpickling_calls_the_function_the_payload_names() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/pickle_runs_code.py");
    let out = Command::new("python3")
        .arg(script)
        .output()
        .expect("python3 is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    // The payload carries the name of the callable, and loads called it.
    assert!(lines[0].contains("builtins") && lines[0].contains("print"));
    assert_eq!(lines[1], "MARKER: this line was printed by pickle.loads");
    assert_eq!(lines[2], "loads returned None, not an Innocent");
}

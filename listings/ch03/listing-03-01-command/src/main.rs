use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

/// The environment variable that turns this program into the child.
const ROLE: &str = "LISTING_03_01_ROLE";

// ANCHOR: child
/// What the program does when it runs as the child.
fn child(role: &str) -> ExitCode {
    match role {
        "report" => {
            let args: Vec<String> = std::env::args().skip(1).collect();
            let cwd = std::env::current_dir().expect("a working directory");
            println!("args: {args:?}");
            println!("GREETING={:?}", std::env::var("GREETING").ok());
            println!("HOME set: {}", std::env::var_os("HOME").is_some());
            println!("variables: {}", std::env::vars_os().count());
            println!("cwd is the temp dir: {}", cwd == std::env::temp_dir());
            ExitCode::SUCCESS
        }
        "fail" => {
            eprintln!("fail: no such record");
            ExitCode::from(3)
        }
        // Waits to be killed; gives up on its own after a while.
        _ => {
            std::thread::sleep(Duration::from_secs(30));
            ExitCode::SUCCESS
        }
    }
}
// ANCHOR_END: child

fn main() -> std::io::Result<ExitCode> {
    if let Ok(role) = std::env::var(ROLE) {
        return Ok(child(&role));
    }
    let me = std::env::current_exe()?;
    let mut out = std::io::stdout().lock();

    // ANCHOR: parent
    // ANCHOR: builder
    // Arguments are passed as a list: no shell, so no quoting and no injection.
    let report = Command::new(&me)
        .args(["--name", "two words"])
        .env(ROLE, "report")
        .env("GREETING", "hello")
        .env_remove("HOME")
        .current_dir(std::env::temp_dir())
        .output()?; // waits, capturing stdout and stderr
    // ANCHOR_END: builder
    out.write_all(&report.stdout)?;
    println!(
        "status: {}, success: {}",
        report.status,
        report.status.success()
    );

    // env_clear: the child sees only what you set.
    let bare = Command::new(&me).env_clear().env(ROLE, "report").output()?;
    let vars = String::from_utf8_lossy(&bare.stdout);
    println!("after env_clear, {}", vars.lines().nth(3).unwrap_or("?"));

    let fail = Command::new(&me).env(ROLE, "fail").output()?;
    println!(
        "status: {}, code: {:?}, stderr: {:?}",
        fail.status,
        fail.status.code(),
        String::from_utf8_lossy(&fail.stderr).trim_end()
    );

    let mut sleeper = Command::new(&me)
        .env(ROLE, "sleep")
        .stdout(Stdio::null())
        .spawn()?; // returns at once: the child runs beside us
    sleeper.kill()?; // SIGKILL
    let killed = sleeper.wait()?;
    println!(
        "status: {}, code: {:?}, signal: {:?}",
        killed,
        killed.code(),
        killed.signal()
    );
    // ANCHOR_END: parent
    Ok(ExitCode::SUCCESS)
}

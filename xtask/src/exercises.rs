//! Proving the exercises. Each exercise package has a starter (`src/lib.rs`,
//! with `todo!()` where the reader works), a reference solution
//! (`solution/lib.rs`) and tests (`tests/exercise.rs`). The tests pick the
//! code under test with the `solution` feature:
//!
//! ```text
//! cargo test -p exercise-01-02-x                      # the reader's attempt
//! cargo test -p exercise-01-02-x --features solution  # the reference solution
//! ```
//!
//! The test command runs every exercise's tests against the solution (in the
//! workspace's `--all-features` test run) and here checks that every single
//! test fails against the untouched starter, so that no test passes
//! without the reader's work.

use crate::listings::report;
use crate::model::{Kind, Package};
use crate::util::{self, cargo};
use anyhow::{Result, bail, ensure};
use regex::Regex;
use std::path::PathBuf;
use std::time::Duration;

pub fn starters_fail(packages: &[Package]) -> Result<()> {
    let exercises: Vec<&Package> = packages
        .iter()
        .filter(|p| p.label.kind == Kind::Exercise)
        .collect();
    if exercises.is_empty() {
        return Ok(());
    }
    let mut cmd = cargo();
    cmd.args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    for p in &exercises {
        cmd.args(["-p", &p.name]);
    }
    let out = cmd.stderr(std::process::Stdio::inherit()).output()?;
    ensure!(
        out.status.success(),
        "building the exercises' starters failed"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut binaries: Vec<(String, PathBuf)> = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if v["reason"] != "compiler-artifact" || v["target"]["kind"][0] != "test" {
            continue;
        }
        if let Some(exe) = v["executable"].as_str() {
            let package = v["package_id"].as_str().unwrap_or_default();
            let name = exercises
                .iter()
                .find(|p| {
                    package.contains(&format!("/{}#", p.name))
                        || package.contains(&format!("{} ", p.name))
                })
                .map(|p| p.name.clone())
                .unwrap_or_else(|| package.to_string());
            binaries.push((name, PathBuf::from(exe)));
        }
    }
    for p in &exercises {
        ensure!(
            binaries.iter().any(|(n, _)| n == &p.name),
            "{}: no test binary was built from tests/exercise.rs",
            p.name
        );
    }
    let results = util::parallel_map(&binaries, util::jobs(), |(name, exe)| -> Result<String> {
        let out = util::run_with_timeout(
            std::process::Command::new(exe).arg("--test-threads=1"),
            None,
            Duration::from_secs(120),
        )?;
        if out.timed_out {
            bail!("{name}: the tests hung on the starter; every test must bound its waits");
        }
        let (passed, failed) = tally(&out.stdout);
        ensure!(
            passed.is_empty() && !failed.is_empty(),
            "{name}: every test must fail on the untouched starter; these passed: {passed:?}"
        );
        Ok(format!(
            "{name}: all {} tests fail on the starter",
            failed.len()
        ))
    });
    report(results)
}

/// Names of passed and failed tests in libtest's output.
fn tally(output: &str) -> (Vec<String>, Vec<String>) {
    let re = Regex::new(r"(?m)^test (\S+) \.\.\. (ok|FAILED)$").expect("valid regex");
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for caps in re.captures_iter(output) {
        match &caps[2] {
            "ok" => passed.push(caps[1].to_string()),
            _ => failed.push(caps[1].to_string()),
        }
    }
    (passed, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_output_is_tallied() {
        let out = "running 3 tests\ntest a ... ok\ntest b::c ... FAILED\ntest d ... FAILED\n\nfailures:\n";
        let (passed, failed) = tally(out);
        assert_eq!(passed, vec!["a"]);
        assert_eq!(failed, vec!["b::c", "d"]);
    }
}

//! Proving the listings: each program is built as the book says to run it
//! (release when it measures), run with its arguments and a time limit, and
//! its output compared
//! with `output.txt` after normalisation. `bless` rewrites `output.txt` on
//! purpose. Each package is also copied alone into a fresh folder and built
//! there, which proves a reader can copy it; the listings the compiler must
//! reject are built that way and must fail with their error code.

use crate::model::{self, Kind, Package};
use crate::normalize::{Normalizer, diff};
use crate::util::{self, cargo};
use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Selects packages by name (all when `names` is empty).
pub fn select(all: Vec<Package>, names: &[String]) -> Result<Vec<Package>> {
    if names.is_empty() {
        return Ok(all);
    }
    let selected: Vec<Package> = all
        .into_iter()
        .filter(|p| names.iter().any(|n| p.name.contains(n.as_str())))
        .collect();
    ensure!(!selected.is_empty(), "no listing matches {names:?}");
    Ok(selected)
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    package_id: Option<String>,
    target: Option<Target>,
    executable: Option<PathBuf>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    code: Option<DiagnosticCode>,
    rendered: Option<String>,
}

#[derive(Deserialize)]
struct DiagnosticCode {
    code: String,
}

fn messages(stdout: &str) -> impl Iterator<Item = Message> + '_ {
    stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok())
}

/// Builds the listings' programs and returns each package's executable. A
/// listing is built the way the book tells the reader to run it: in release
/// mode when it measures (`release = true`), in the dev profile otherwise,
/// which also shares its dependencies' builds with the tests and doc-tests.
pub fn build(packages: &[&Package]) -> Result<HashMap<String, PathBuf>> {
    let mut exes = HashMap::new();
    for release in [false, true] {
        let group: Vec<&&Package> = packages
            .iter()
            .filter(|p| p.meta.release == release)
            .collect();
        if group.is_empty() {
            continue;
        }
        let mut cmd = cargo();
        cmd.args([
            "build",
            "--bins",
            "--message-format=json-render-diagnostics",
        ]);
        if release {
            cmd.arg("--release");
        }
        for p in group {
            cmd.args(["-p", &p.name]);
        }
        let out = cmd.stderr(std::process::Stdio::inherit()).output()?;
        if !out.status.success() {
            bail!("building the listings failed");
        }
        for m in messages(&String::from_utf8_lossy(&out.stdout)) {
            if m.reason != "compiler-artifact" {
                continue;
            }
            let (Some(target), Some(exe)) = (m.target, m.executable) else {
                continue;
            };
            if target.kind.iter().any(|k| k == "bin") {
                exes.insert(target.name.replace('_', "-"), exe);
            }
        }
    }
    Ok(exes)
}

pub enum Mode {
    Check,
    Bless,
}

/// Runs the programs and checks (or blesses) their output.
pub fn run(packages: &[Package], mode: Mode) -> Result<()> {
    let programs: Vec<&Package> = packages
        .iter()
        .filter(|p| p.label.kind == Kind::Listing && !p.is_compile_fail())
        .collect();
    if programs.is_empty() {
        return Ok(());
    }
    let exes = build(&programs)?;
    // Blessing records the output the book shows, so programs run one at a
    // time on a quiet machine; checking normalises timings and runs in parallel.
    let jobs = match mode {
        Mode::Check => util::jobs(),
        Mode::Bless => 1,
    };
    let results = util::parallel_map(&programs, jobs, |p| -> Result<String> {
        let exe = exes
            .get(&p.name)
            .with_context(|| format!("{}: no program was built (is src/main.rs there?)", p.name))?;
        let out = util::run_merged_with_timeout(
            // A backtrace setting in the caller's environment would change
            // what a panicking listing prints.
            Command::new(exe)
                .args(&p.meta.args)
                .current_dir(model::root())
                .env_remove("RUST_BACKTRACE")
                .env_remove("RUST_LIB_BACKTRACE"),
            p.meta.stdin.as_deref(),
            Duration::from_secs(p.timeout()),
        )?;
        let expected_code = p.meta.exit_code.unwrap_or(0);
        if out.timed_out || out.status.and_then(|s| s.code()) != Some(expected_code) {
            bail!(
                "{}: expected exit code {expected_code}, got {}",
                p.name,
                out.describe()
            );
        }
        match mode {
            Mode::Bless => {
                std::fs::write(p.expected_output_path(), &out.stdout)?;
                Ok(format!("{}: blessed ({:.1?})", p.name, out.elapsed))
            }
            Mode::Check => {
                compare(p, &out.stdout)?;
                Ok(format!("{}: ok ({:.1?})", p.name, out.elapsed))
            }
        }
    });
    report(results)
}

fn compare(p: &Package, actual: &str) -> Result<()> {
    let expected = std::fs::read_to_string(p.expected_output_path()).with_context(|| {
        format!(
            "{}: output.txt is missing; run `cargo xtask bless {}`",
            p.name, p.name
        )
    })?;
    let norm = Normalizer::new(&p.meta.normalize)?;
    let (e, a) = (norm.apply(&expected), norm.apply(actual));
    if e != a {
        bail!(
            "{}: the output differs from output.txt (after normalising):\n{}If the change is intended, run `cargo xtask bless {}`.",
            p.name,
            diff(&e, &a),
            p.name
        );
    }
    Ok(())
}

pub fn report(results: Vec<Result<String>>) -> Result<()> {
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(line) => eprintln!("  {line}"),
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("  FAILED {f}");
        }
        bail!("{} failed", failures.len());
    }
    Ok(())
}

/// Copies each package alone into a fresh folder outside the workspace and
/// builds it there (`cargo check --all-targets`, offline, with the
/// workspace's lockfile so versions match). A listing the compiler must
/// reject must fail there with its error code; its `output.txt` holds the
/// compiler's message, whose `error[...]` lines must match.
pub fn standalone(packages: &[Package], bless: bool) -> Result<()> {
    let root = model::root();
    let scratch = std::env::temp_dir().join(format!("book-standalone-{}", std::process::id()));
    // The workspace's own target folder: the copies' dependencies are then
    // the ones clippy has already checked (same profile, see below), and only
    // the copied packages themselves are checked again.
    let target_dir = root.join("target");
    let lockfile = root.join("Cargo.lock");
    let mut results = Vec::new();
    // One at a time: the builds share a target folder, which Cargo locks.
    for p in packages {
        results.push(standalone_one(p, &scratch, &target_dir, &lockfile, bless));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    report(results)
}

fn standalone_one(
    p: &Package,
    scratch: &Path,
    target_dir: &Path,
    lockfile: &Path,
    bless: bool,
) -> Result<String> {
    let dir = scratch.join(&p.name);
    let _ = std::fs::remove_dir_all(&dir);
    util::copy_dir(&p.dir, &dir)?;
    std::fs::copy(lockfile, dir.join("Cargo.lock"))?;
    let out = util::run_with_timeout(
        cargo()
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", target_dir)
            // The workspace's dev profile (root Cargo.toml), which a copied
            // package no longer sees: without it every dependency is checked
            // anew under different settings.
            .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
            .args([
                "check",
                "--offline",
                "--all-targets",
                "--message-format=json",
            ]),
        None,
        Duration::from_secs(900),
    )?;
    let diagnostics: Vec<Diagnostic> = messages(&out.stdout)
        .filter(|m| m.reason == "compiler-message" && m.package_id.is_some())
        .filter_map(|m| m.message)
        .collect();
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.level == "error").collect();
    match &p.meta.compile_fail {
        None => {
            ensure!(
                out.success(),
                "{}: does not build when copied alone:\n{}",
                p.name,
                out.describe()
            );
            Ok(format!("{}: builds alone", p.name))
        }
        Some(code) => {
            ensure!(
                !out.success(),
                "{}: must fail to compile with {code}, but it compiles",
                p.name
            );
            let codes: Vec<&str> = errors
                .iter()
                .filter_map(|d| d.code.as_ref().map(|c| c.code.as_str()))
                .collect();
            ensure!(
                codes.contains(&code.as_str()),
                "{}: expected error {code}, the compiler gave {codes:?}:\n{}",
                p.name,
                out.describe()
            );
            // `--all-targets` compiles the program twice (as a binary and as a
            // test): keep each message once.
            let mut rendered: Vec<&str> = Vec::new();
            for text in errors.iter().filter_map(|d| d.rendered.as_deref()) {
                if !rendered.contains(&text) {
                    rendered.push(text);
                }
            }
            let rendered = rendered.join("\n");
            if bless {
                std::fs::write(p.expected_output_path(), &rendered)?;
                return Ok(format!("{}: fails with {code} (blessed)", p.name));
            }
            let expected =
                std::fs::read_to_string(p.expected_output_path()).with_context(|| {
                    format!(
                        "{}: output.txt is missing; run `cargo xtask bless {}`",
                        p.name, p.name
                    )
                })?;
            let headlines = |s: &str| -> Vec<String> {
                s.lines()
                    .filter(|l| l.starts_with("error"))
                    .map(str::to_string)
                    .collect()
            };
            ensure!(
                headlines(&expected) == headlines(&rendered),
                "{}: the compiler's errors differ from output.txt:\n{}",
                p.name,
                diff(
                    &headlines(&expected).join("\n"),
                    &headlines(&rendered).join("\n")
                )
            );
            Ok(format!("{}: fails with {code} as expected", p.name))
        }
    }
}

/// The packages the workspace must exclude are exactly the compile-fail ones.
pub fn check_excludes(packages: &[Package]) -> Result<()> {
    let mut want: Vec<String> = packages
        .iter()
        .filter(|p| p.is_compile_fail())
        .map(|p| format!("listings/{}", p.rel))
        .collect();
    let mut have = model::workspace_excludes()?;
    want.sort();
    have.sort();
    ensure!(
        want == have,
        "the root Cargo.toml's [workspace] exclude must list exactly the compile-fail listings:\n  expected {want:?}\n  found    {have:?}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing package in a temporary folder, with `output.txt` as given.
    fn package(expected: &str, normalize: &str) -> Package {
        let base = std::env::temp_dir().join(format!(
            "listing-test-{}-{}",
            std::process::id(),
            expected.len()
        ));
        let dir = base.join("ch09/listing-09-01-sample");
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"listing-09-01-sample\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
                 license = \"MIT OR Apache-2.0\"\ndescription = \"A sample\"\n\n\
                 [package.metadata.book]\nnormalize = {normalize}\n"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(dir.join("output.txt"), expected).unwrap();
        let p = Package::load(&dir, &base).unwrap();
        p.validate().unwrap();
        p
    }

    #[test]
    fn timings_may_change_but_results_may_not() {
        let p = package("sum: 55\ntook 1.2 ms\n", "[]");
        assert!(compare(&p, "sum: 55\ntook 930.1µs\n").is_ok());
        let err = compare(&p, "sum: 56\ntook 1.2 ms\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected: sum: 55") && err.contains("actual:   sum: 56"),
            "{err}"
        );
        assert!(
            compare(&p, "sum: 55\n").is_err(),
            "a missing line is a difference"
        );
    }

    #[test]
    fn a_listing_can_normalise_its_own_output() {
        let p = package("worker 3 finished\n", r#"[["worker \\d+", "worker N"]]"#);
        assert!(compare(&p, "worker 7 finished\n").is_ok());
        assert!(compare(&p, "worker 7 failed\n").is_err());
    }
}

//! `cargo xtask <command>`: the book's tooling.
//!
//! ```text
//! cargo xtask serve                 build the book and serve it at http://127.0.0.1:3000
//! cargo xtask build                 build the book into book/
//! cargo xtask test [STEP…]          run every check (or the named steps); see `steps()`
//! cargo xtask bless [NAME…]         rewrite listings' output.txt from real runs
//! cargo xtask listings [NAME…]      build, run and compare listings' output
//! cargo xtask experiments [OPTIONS] run the experiments, record and render results
//! cargo xtask preprocess …          the mdBook preprocessor (book.toml runs it)
//! ```

mod book;
mod exercises;
mod links;
mod listings;
mod model;
mod normalize;
mod preprocess;
mod printables;
mod results;
mod slides;
mod structure;
mod util;

use anyhow::{Result, bail};
use std::process::Command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = dispatch(&args) {
        eprintln!("\nerror: {e:#}");
        std::process::exit(1);
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let (command, rest) = args
        .split_first()
        .map_or(("help", &[][..]), |(c, r)| (c.as_str(), r));
    match command {
        "preprocess" => preprocess::main(rest),
        "printables" => printables::backend(),
        "print" => printables::print(),
        "serve" => book::serve(),
        "build" => book::build(),
        "test" => {
            util::ensure_libzmq()?;
            test(rest)
        }
        "bless" => {
            util::ensure_libzmq()?;
            bless(rest)
        }
        "listings" => {
            util::ensure_libzmq()?;
            let packages = listings::select(model::packages()?, rest)?;
            listings::run(&packages, listings::Mode::Check)
        }
        "experiments" => {
            util::ensure_libzmq()?;
            experiments(rest)
        }
        "help" | "--help" | "-h" => {
            println!("{}", HELP.trim());
            Ok(())
        }
        other => bail!("unknown command `{other}`; try `cargo xtask help`"),
    }
}

const HELP: &str = r#"
cargo xtask serve                  build the book and serve it at http://127.0.0.1:3000
cargo xtask build                  build the book into book/ (HTML, expanded Markdown, decks, handouts)
cargo xtask print                  print the book, decks, handouts and notes editions to PDF (book/pdf/)
cargo xtask test [STEP...]         run every check, or only the named steps (list: `test --list`)
cargo xtask bless [NAME...]        rewrite listings' output.txt from real runs (release, one at a time)
cargo xtask listings [NAME...]     build and run listings, compare their output with output.txt
cargo xtask experiments [--chapter N] [--only ID] [--quick] [--render-only]
                                   run the book's experiments in release mode, record results
                                   under results/, and render the tables and plots in src/generated/
"#;

fn bless(names: &[String]) -> Result<()> {
    let packages = listings::select(model::packages()?, names)?;
    listings::run(&packages, listings::Mode::Bless)?;
    let rejected: Vec<model::Package> = packages
        .into_iter()
        .filter(|p| p.is_compile_fail())
        .collect();
    listings::standalone(&rejected, true)
}

/// `cargo xtask experiments …` builds and runs the experiments crate in
/// release mode, which measures, writes `results/`, and renders
/// `src/generated/`.
fn experiments(args: &[String]) -> Result<()> {
    experiments_in(Profile::Release, args)
}

/// Measurements need optimised code; the test step's checks (re-render, quick
/// runs with no timing assertion) do not, and the dev build is the one the
/// tests step has already made.
#[derive(Clone, Copy, PartialEq)]
enum Profile {
    Release,
    Dev,
}

fn experiments_in(profile: Profile, args: &[String]) -> Result<()> {
    let mut cmd = util::cargo();
    cmd.arg("run");
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    util::run(
        cmd.args(["--quiet", "-p", "book-experiments", "--"])
            .args(args),
    )
}

type Step = (
    &'static str,
    &'static str,
    fn(&[model::Package]) -> Result<()>,
);

/// The test command's steps, in order.
fn steps() -> Vec<Step> {
    vec![
        (
            "structure",
            "sources: chapters, listings, numbering, includes, metadata",
            |p| structure::check(p),
        ),
        ("format", "rustfmt: every Rust file is formatted", |_| {
            util::run(util::cargo().args(["fmt", "--all", "--check"]))
        }),
        (
            "clippy",
            "every package warning-free and clippy-clean (-D warnings)",
            |_| {
                util::run(util::cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--all-features",
                    "--",
                    "-D",
                    "warnings",
                ]))
            },
        ),
        ("listings", "listings run; output matches output.txt", |p| {
            listings::run(p, listings::Mode::Check)
        }),
        (
            "standalone",
            "each package builds copied alone; compile-fail listings fail with their code",
            |p| listings::standalone(p, false),
        ),
        (
            "tests",
            "unit, listing and exercise tests (exercises against their solutions)",
            |_| tests(),
        ),
        (
            "loom",
            "model checks: the chapters' primitives under loom, expected failures included",
            |p| loom(p),
        ),
        (
            "starters",
            "every exercise test fails on the untouched starter",
            |p| exercises::starters_fail(p),
        ),
        (
            "book",
            "mdbook build; directives expanded; no ignored block; links and anchors resolve; offline",
            |_| {
                book::build()?;
                book::check_expanded()?;
                let n = links::check(&model::root().join("book/html"))?;
                eprintln!(
                    "  {n} internal links and images resolve; nothing loads from the network"
                );
                Ok(())
            },
        ),
        (
            "doctests",
            "`mdbook test`: every code block compiles and runs; compile_fail codes",
            |_| {
                // Build first: the checks read the expanded chapters, which must
                // not be left over from an earlier build.
                book::build()?;
                let libs = book::stage_libraries()?;
                book::compile_fail_codes(&libs)?;
                book::mdbook_test(&libs)
            },
        ),
        (
            "printables",
            "book PDF, decks, handouts, notes: sizes, fonts, bookmarks, notes, overflow, offline",
            |p| printables::check(p),
        ),
        (
            "experiments",
            "committed results render unchanged; every experiment runs in quick mode",
            |_| {
                experiments_in(Profile::Dev, &["--render-only".into(), "--check".into()])?;
                let out = model::root().join("target/quick-results");
                experiments_in(
                    Profile::Dev,
                    &[
                        "--quick".into(),
                        "--out".into(),
                        out.to_string_lossy().into_owned(),
                    ],
                )
            },
        ),
    ]
}

/// The packages built for loom (`[target.'cfg(loom)'.dependencies]`) run
/// their tests with `--cfg loom`, in a target folder of their own (the flag
/// changes every crate's build). Exercises are checked on their solutions.
/// A model that must find a bug is a `#[should_panic]` test, so it fails
/// here if loom stops finding it.
fn loom(packages: &[model::Package]) -> Result<()> {
    let loom_packages: Vec<&model::Package> = packages.iter().filter(|p| p.uses_loom()).collect();
    if loom_packages.is_empty() {
        return Ok(());
    }
    let mut cmd = util::cargo();
    cmd.env("RUSTFLAGS", "--cfg loom")
        .env("CARGO_TARGET_DIR", model::root().join("target/loom"))
        .args(["test", "--release", "--tests", "--all-features"]);
    for p in &loom_packages {
        cmd.args(["-p", &p.name]);
    }
    util::run(&mut cmd)
}

fn tests() -> Result<()> {
    let has_nextest = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = util::cargo();
    if has_nextest {
        cmd.args(["nextest", "run", "--no-tests=warn"]);
    } else {
        cmd.arg("test");
    }
    cmd.args(["--workspace", "--all-features", "--exclude", "book-tests"]);
    util::run(&mut cmd)
}

fn test(names: &[String]) -> Result<()> {
    let all = steps();
    if names.iter().any(|n| n == "--list") {
        for (name, what, _) in &all {
            println!("{name:12} {what}");
        }
        return Ok(());
    }
    for n in names {
        if !all.iter().any(|(name, _, _)| name == n) {
            bail!("no step `{n}`; `cargo xtask test --list` lists them");
        }
    }
    let start = std::time::Instant::now();
    let packages = model::packages()?;
    let mut failed = Vec::new();
    for (name, what, f) in all {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        // A failing step does not hide the others' results.
        if util::step(&format!("{name}: {what}"), || f(&packages)).is_err() {
            failed.push(name);
        }
    }
    eprintln!("\nTotal: {:.0} s", start.elapsed().as_secs_f64());
    if !failed.is_empty() {
        bail!("failed steps: {}", failed.join(", "));
    }
    eprintln!("All checks passed.");
    Ok(())
}

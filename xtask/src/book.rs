//! Building, serving and testing the book with mdBook.
//!
//! Code blocks are tested on the chapters *after* every preprocessor has run
//! (mdBook's `markdown` output, `book/markdown/`):
//!
//! 1. The crates the blocks use are built once, as the dependencies of
//!    `tests/book`, and staged into `target/book-deps`: a folder holding
//!    exactly one copy of each crate the blocks name (the one `tests/book`
//!    links), so that rustdoc finds no second candidate (E0464).
//! 2. Stable rustdoc accepts `compile_fail,E0277` but does not check the code
//!    (only nightly does), so every `compile_fail` block is compiled here and
//!    must fail with the code it names.
//! 3. `mdbook test -L target/book-deps`, the readers' command, compiles and
//!    runs every block. Its rustdoc runs through a wrapper that records each
//!    chapter's "test result" line, so the step knows how many blocks passed
//!    and fails unless every Rust block of the expanded chapters did.
//!    (`cargo test --doc -p book-tests` runs the same blocks through Cargo,
//!    for a reader who prefers it; the test command does not run them twice.)

use crate::model::{self, Package};
use crate::util::{self, cargo};
use anyhow::{Context, Result, bail, ensure};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The one mdBook version the book is built and tested with.
pub const MDBOOK_VERSION: &str = "0.5.4";

/// The `mdbook` to use: one on PATH if it is the pinned version, else the
/// copy under `.tools/`, installed there from crates.io on first use.
pub fn mdbook() -> Result<PathBuf> {
    let local = model::root().join(".tools/bin/mdbook");
    for candidate in [PathBuf::from("mdbook"), local.clone()] {
        if let Ok(out) = Command::new(&candidate).arg("--version").output()
            && String::from_utf8_lossy(&out.stdout).trim() == format!("mdbook v{MDBOOK_VERSION}")
        {
            return Ok(candidate);
        }
    }
    eprintln!("Installing mdBook {MDBOOK_VERSION} into .tools/ (once; takes a few minutes)…");
    util::run(cargo().args([
        "install",
        "mdbook",
        "--version",
        MDBOOK_VERSION,
        "--locked",
        "--root",
        ".tools",
    ]))?;
    Ok(local)
}

fn mdbook_command() -> Result<Command> {
    let mut cmd = Command::new(mdbook()?);
    cmd.current_dir(model::root());
    Ok(cmd)
}

pub fn build() -> Result<()> {
    util::run(mdbook_command()?.arg("build"))
}

pub fn serve() -> Result<()> {
    let mut cmd = mdbook_command()?;
    eprintln!("Serving the book at http://127.0.0.1:3000 (Ctrl-C stops it)");
    util::run(cmd.args(["serve", "--hostname", "127.0.0.1", "--port", "3000"]))
}

pub fn markdown_dir() -> PathBuf {
    model::root().join("book/markdown")
}

/// A fenced code block of an expanded chapter.
#[derive(Debug)]
pub struct Block {
    pub file: PathBuf,
    pub line: usize,
    pub info: String,
    pub code: String,
    /// The text between the previous block (or the start) and this one.
    pub before: String,
}

impl Block {
    pub fn attrs(&self) -> Vec<&str> {
        self.info
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// rustdoc tests a block whose language is empty or `rust`.
    pub fn is_rust(&self) -> bool {
        matches!(self.attrs().first(), None | Some(&"rust"))
            || self
                .attrs()
                .first()
                .is_some_and(|a| RUSTDOC_ATTRS.contains(a))
    }

    pub fn where_(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

const RUSTDOC_ATTRS: &[&str] = &[
    "ignore",
    "should_panic",
    "no_run",
    "compile_fail",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
    "test_harness",
    "standalone_crate",
];

/// Every fenced code block in the Markdown files under `dir`.
pub fn blocks(dir: &Path) -> Result<Vec<Block>> {
    let mut out = Vec::new();
    for file in markdown_files(dir)? {
        let text = std::fs::read_to_string(&file)?;
        out.extend(blocks_in(&file, &text));
    }
    Ok(out)
}

pub fn blocks_in(file: &Path, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    let mut last_end = 0;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some(Block {
                    file: file.to_path_buf(),
                    line: text[..range.start].lines().count() + 1,
                    info: info.to_string(),
                    code: String::new(),
                    before: text[last_end..range.start].to_string(),
                });
            }
            Event::Text(t) => {
                if let Some(block) = current.as_mut() {
                    block.code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                out.extend(current.take());
                last_end = range.end;
            }
            _ => {}
        }
    }
    out
}

pub fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        bail!("{} does not exist; build the book first", dir.display());
    }
    for entry in model::read_dir_sorted(dir)? {
        if entry.is_dir() {
            out.extend(markdown_files(&entry)?);
        } else if entry.extension().is_some_and(|e| e == "md") {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Rules for the expanded chapters: every directive expanded, no `ignore`d
/// block, every `no_run` block with its reason, every `compile_fail` block
/// with its error code.
pub fn check_expanded() -> Result<()> {
    let dir = markdown_dir();
    let mut problems = Vec::new();
    for file in markdown_files(&dir)? {
        let text = std::fs::read_to_string(&file)?;
        for (i, line) in text.lines().enumerate() {
            if line.contains("{{#") {
                problems.push(format!(
                    "{}:{}: unexpanded directive: {}",
                    file.display(),
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    for b in blocks(&dir)?.iter().filter(|b| b.is_rust()) {
        let attrs = b.attrs();
        if attrs.contains(&"ignore") {
            problems.push(format!(
                "{}: `ignore`d block; every block is compiled and run",
                b.where_()
            ));
        }
        if attrs.contains(&"no_run") && !b.before.trim_end().ends_with("-->") {
            problems.push(format!(
                "{}: `no_run` block without a `<!-- no_run: reason -->` before it",
                b.where_()
            ));
        }
        if attrs.contains(&"no_run") && !b.before.contains("<!-- no_run:") {
            problems.push(format!("{}: `no_run` block without its reason", b.where_()));
        }
        if attrs.contains(&"compile_fail") && !attrs.iter().any(|a| is_error_code(a)) {
            problems.push(format!(
                "{}: `compile_fail` block without its error code",
                b.where_()
            ));
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(())
}

fn is_error_code(s: &str) -> bool {
    s.len() == 5 && s.starts_with('E') && s[1..].chars().all(|c| c.is_ascii_digit())
}

/// Builds the crates the blocks use and stages them (see the module
/// comment). Returns the staged library folder.
pub fn stage_libraries() -> Result<PathBuf> {
    // Rebuild `tests/book` itself (cheap: its code is doc comments) so that
    // Cargo prints the rustc command line naming the exact files it links.
    let lib = model::root().join("tests/book/src/lib.rs");
    std::fs::File::options()
        .append(true)
        .open(&lib)?
        .set_modified(std::time::SystemTime::now())?;
    let out = cargo()
        .args([
            "build",
            "-p",
            "book-tests",
            "--lib",
            "-v",
            "--message-format=json",
        ])
        .output()?;
    ensure!(
        out.status.success(),
        "building book-tests failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let externs = rustc_externs(&String::from_utf8_lossy(&out.stderr))?;
    stage(&externs, &String::from_utf8_lossy(&out.stdout))
}

/// The `--extern name=path` arguments Cargo gave rustc for `book-tests`.
fn rustc_externs(verbose: &str) -> Result<BTreeMap<String, PathBuf>> {
    let line = verbose
        .lines()
        .find(|l| l.contains("Running") && l.contains("--crate-name book_tests"))
        .context("cargo -v printed no rustc command for book_tests")?;
    let mut externs = BTreeMap::new();
    let mut words = line.split_whitespace();
    while let Some(w) = words.next() {
        if w == "--extern"
            && let Some(arg) = words.next()
            && let Some((name, path)) = arg.trim_matches('`').split_once('=')
        {
            externs.insert(name.to_string(), PathBuf::from(path));
        }
    }
    ensure!(!externs.is_empty(), "book-tests links no crate");
    Ok(externs)
}

/// Stages `target/book-deps`: every library file of `book-tests`' dependency
/// graph, except that each crate the doc-tests name directly appears once,
/// as the exact file Cargo linked.
fn stage(externs: &BTreeMap<String, PathBuf>, json: &str) -> Result<PathBuf> {
    let root = model::root();
    let dir = root.join("target/book-deps");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut staged = HashSet::new();
    for line in json.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["reason"] != "compiler-artifact" {
            continue;
        }
        let name = v["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .replace('-', "_");
        if name == "book_tests" || name == "build_script_build" {
            continue;
        }
        for file in v["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
        {
            let file = PathBuf::from(file);
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if !matches!(ext, "rlib" | "so") {
                continue;
            }
            if let Some(linked) = externs.get(&name)
                && linked.with_extension("") != file.with_extension("")
            {
                continue; // another copy of a crate the blocks name: E0464 bait
            }
            let dest = dir.join(file.file_name().context("file name")?);
            if staged.insert(dest.clone()) {
                std::fs::hard_link(&file, &dest)
                    .or_else(|_| std::fs::copy(&file, &dest).map(|_| ()))?;
            }
        }
    }
    // Cargo names `.rmeta` files when it pipelines; the staged file is the
    // `.rlib` (or proc-macro `.so`) of the same name.
    for (name, path) in externs {
        let stem = dir.join(path.file_stem().context("file name")?);
        ensure!(
            staged.iter().any(|s| s.with_extension("") == stem),
            "{name}: {} was not staged",
            path.display()
        );
    }
    // The static libraries of listings that call C (built by tests/book's
    // build script): `-L` also serves the linker.
    for line in json.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["reason"] != "build-script-executed" {
            continue;
        }
        let Some(out_dir) = v["out_dir"].as_str().filter(|_| {
            v["package_id"]
                .as_str()
                .is_some_and(|p| p.contains("book-tests"))
        }) else {
            continue;
        };
        for entry in std::fs::read_dir(out_dir)? {
            let file = entry?.path();
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name.starts_with("lib") && name.ends_with("_c.a") {
                std::fs::copy(&file, dir.join(&name))?;
            }
        }
    }
    Ok(dir)
}

/// Compiles every `compile_fail` block and checks it fails with its code.
pub fn compile_fail_codes(libs: &Path) -> Result<()> {
    let blocks = blocks(&markdown_dir())?;
    let scratch = model::root().join("target/compile-fail-blocks");
    std::fs::create_dir_all(&scratch)?;
    let cases: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.is_rust() && b.attrs().contains(&"compile_fail"))
        .collect();
    let results = util::parallel_map(&cases, util::jobs(), |b| -> Result<String> {
        let code = b
            .attrs()
            .into_iter()
            .find(|a| is_error_code(a))
            .context("no error code")?;
        let source = scratch.join(format!("block-{}-{}.rs", sanitize(&b.file), b.line));
        std::fs::write(&source, doctest_source(&b.code))?;
        let out = util::run_with_timeout(
            Command::new("rustc")
                .args([
                    "--edition",
                    "2024",
                    "--crate-type",
                    "bin",
                    "--emit",
                    "metadata",
                ])
                .args(["--error-format", "json", "-o"])
                .arg(source.with_extension("rmeta"))
                .arg("-L")
                .arg(libs)
                .arg(&source),
            None,
            Duration::from_secs(120),
        )?;
        ensure!(
            !out.success(),
            "{}: a compile_fail block compiles",
            b.where_()
        );
        let codes: Vec<String> = out
            .stderr
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["level"] == "error")
            .filter_map(|v| v["code"]["code"].as_str().map(str::to_string))
            .collect();
        ensure!(
            codes.iter().any(|c| c == code),
            "{}: expected {code}, the compiler gave {codes:?}",
            b.where_()
        );
        Ok(format!("{}: fails with {code}", b.where_()))
    });
    crate::listings::report(results)
}

fn sanitize(p: &Path) -> String {
    p.to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The program rustdoc would compile for a block: hidden lines shown, and a
/// `main` around the code when it has none.
pub fn doctest_source(code: &str) -> String {
    let lines: Vec<String> = code
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if t == "#" {
                String::new()
            } else if let Some(rest) = t.strip_prefix("# ") {
                rest.to_string()
            } else if let Some(rest) = t.strip_prefix("##") {
                format!("#{rest}")
            } else {
                l.to_string()
            }
        })
        .collect();
    let has_main = lines.iter().any(|l| l.contains("fn main("));
    if has_main {
        return lines.join("\n") + "\n";
    }
    let (head, body): (Vec<&String>, Vec<&String>) = lines
        .iter()
        .partition(|l| l.starts_with("#![") || l.starts_with("extern crate"));
    let mut out = String::new();
    for l in head {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("fn main() {\n");
    for l in body {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

/// `mdbook test` as a reader runs it, against the staged libraries.
pub fn mdbook_test(libs: &Path) -> Result<()> {
    let root = model::root();
    let wrapper_dir = root.join("target/rustdoc-wrapper");
    std::fs::create_dir_all(&wrapper_dir)?;
    let wrapper = wrapper_dir.join("rustdoc");
    std::fs::write(&wrapper, RUSTDOC_WRAPPER)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
    }
    let log = wrapper_dir.join("results.log");
    let _ = std::fs::remove_file(&log);
    let path = std::env::join_paths(std::iter::once(wrapper_dir.clone()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    let out = util::run_with_timeout(
        mdbook_command()?
            .arg("test")
            .arg("-L")
            .arg(libs)
            .env("PATH", path)
            .env("BOOK_REAL_RUSTDOC", real_rustdoc()?)
            .env("BOOK_RUSTDOC_LOG", &log),
        None,
        Duration::from_secs(1800),
    )?;
    ensure!(out.success(), "`mdbook test` failed:\n{}", out.describe());
    // A preprocessor that fails does not stop `mdbook test`: it tests the
    // unexpanded chapters, which hold no code. Treat its errors as failures.
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("ERROR") || l.starts_with("error"))
        .collect();
    ensure!(
        errors.is_empty(),
        "`mdbook test` reported errors:\n{}",
        errors.join("\n")
    );
    let tested = out
        .stderr
        .lines()
        .filter(|l| l.contains("Testing chapter"))
        .count();
    let (passed, failed) = test_results(&std::fs::read_to_string(&log).unwrap_or_default());
    let expected = blocks(&markdown_dir())?
        .iter()
        .filter(|b| b.is_rust())
        .count();
    ensure!(
        failed == 0 && passed == expected,
        "`mdbook test` passed {passed} blocks and failed {failed}; the expanded chapters hold {expected} Rust blocks"
    );
    eprintln!("  mdbook test: {tested} chapter files, {passed} blocks passed");
    Ok(())
}

/// Runs the real rustdoc for `mdbook test`, passing its output through, and
/// appends its "test result:" lines to a log the test step reads.
const RUSTDOC_WRAPPER: &str = r#"#!/bin/sh
# Written by `cargo xtask test doctests` (xtask/src/book.rs).
out=$("$BOOK_REAL_RUSTDOC" "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
printf '%s\n' "$out" | grep '^test result:' >> "$BOOK_RUSTDOC_LOG"
exit $rc
"#;

/// The toolchain's rustdoc (`$RUSTDOC` if set).
fn real_rustdoc() -> Result<PathBuf> {
    if let Some(r) = std::env::var_os("RUSTDOC") {
        return Ok(PathBuf::from(r));
    }
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()?;
    ensure!(out.status.success(), "rustc --print sysroot failed");
    let rustdoc = PathBuf::from(String::from_utf8(out.stdout)?.trim()).join("bin/rustdoc");
    ensure!(rustdoc.exists(), "{} does not exist", rustdoc.display());
    Ok(rustdoc)
}

/// Sums rustdoc's "test result: ok. N passed; M failed; …" lines.
fn test_results(log: &str) -> (usize, usize) {
    let count = |line: &str, word: &str| -> usize {
        line.split(';')
            .filter_map(|part| part.trim().strip_suffix(word))
            .filter_map(|n| n.trim().rsplit(' ').next()?.parse::<usize>().ok())
            .sum()
    };
    log.lines()
        .filter(|l| l.starts_with("test result:"))
        .fold((0, 0), |(p, f), l| {
            (p + count(l, "passed"), f + count(l, "failed"))
        })
}

/// The crates the listings use must all be dependencies of `tests/book`, so
/// that the doc-tests (and the staged folder) have them.
pub fn check_doctest_deps(packages: &[Package]) -> Result<()> {
    let text = std::fs::read_to_string(model::root().join("tests/book/Cargo.toml"))?;
    let manifest: toml::Value = toml::from_str(&text)?;
    let have: HashSet<String> = manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().map(|k| k.replace('-', "_")).collect())
        .unwrap_or_default();
    let mut missing = Vec::new();
    for p in packages {
        for c in &p.crates {
            if !have.contains(c) {
                missing.push(format!("{} (used by {})", c, p.name));
            }
        }
        // Blocks showing a listing's program or tests use its library.
        if p.has_lib() && !have.contains(&p.name.replace('-', "_")) {
            missing.push(format!("{} (its own library)", p.name));
        }
    }
    ensure!(
        missing.is_empty(),
        "tests/book/Cargo.toml must depend on every crate the listings use; missing: {}",
        missing.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_info_line_and_preceding_text() {
        let md = "Intro\n\n<!-- no_run: serves forever -->\n```rust,no_run\nfn main() {}\n```\n\nText\n\n```text\nout\n```\n";
        let blocks = blocks_in(Path::new("x.md"), md);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].info, "rust,no_run");
        assert_eq!(blocks[0].code, "fn main() {}\n");
        assert!(blocks[0].before.contains("no_run: serves forever"));
        assert_eq!(blocks[0].line, 4);
        assert!(blocks[0].is_rust());
        assert!(!blocks[1].is_rust());
        assert_eq!(blocks[1].before, "\n\nText\n\n");
    }

    #[test]
    fn doctest_source_unhides_and_wraps() {
        let src = doctest_source("# extern crate rayon;\nlet x = 1;\n# let y = x;\n");
        assert_eq!(
            src,
            "extern crate rayon;\nfn main() {\nlet x = 1;\nlet y = x;\n}\n"
        );
        let with_main = doctest_source("fn main() {}\n# extern crate rayon;\n");
        assert_eq!(with_main, "fn main() {}\nextern crate rayon;\n");
    }

    #[test]
    fn externs_come_from_the_rustc_line() {
        let v = "   Compiling x\n     Running `rustc --crate-name book_tests --edition=2024 tests/book/src/lib.rs --extern rayon=/t/librayon-1.rlib`\n";
        let e = rustc_externs(v).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e["rayon"], PathBuf::from("/t/librayon-1.rlib"));
    }

    #[test]
    fn results_sum_passed_and_failed() {
        let log = "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 1.00s\n\
                   test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.5s\n";
        assert_eq!(test_results(log), (5, 1));
        assert_eq!(test_results(""), (0, 0));
    }
}

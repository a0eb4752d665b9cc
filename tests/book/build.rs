//! Generates one module per expanded chapter in `book/markdown/`, each with
//! the chapter as its doc comment, so `cargo test --doc` runs the chapter's
//! code blocks. `cargo xtask test` builds the book first.
//!
//! Listings that call C have their C sources in `c/` and link them as a
//! static library named after the package (`listing_02_30_x_c`); this script
//! builds the same libraries, so the doc-tests of those listings link too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    build_c_libraries(&root.join("listings"));
    let markdown = root.join("book/markdown");
    println!("cargo::rerun-if-changed={}", markdown.display());
    let mut files = Vec::new();
    collect(&markdown, &mut files);
    files.sort();
    let mut out = String::new();
    for (i, file) in files.iter().enumerate() {
        let rel = file
            .strip_prefix(&markdown)
            .unwrap_or(file)
            .display()
            .to_string();
        let _ = writeln!(
            out,
            "#[doc = include_str!({:?})]\n/// (chapter file `{rel}`)\npub mod chapter_{i} {{}}",
            file.canonicalize().unwrap_or_else(|_| file.clone()),
        );
    }
    let _ = writeln!(
        out,
        "/// How many chapter files were included.\npub const CHAPTERS: usize = {};",
        files.len()
    );
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("chapters.rs");
    std::fs::write(dest, out).expect("writing chapters.rs");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Compiles `listings/*/*/c/*.c` into one static library per listing.
fn build_c_libraries(listings: &Path) {
    println!("cargo::rerun-if-changed={}", listings.display());
    let Ok(chapters) = std::fs::read_dir(listings) else {
        return;
    };
    let mut packages: Vec<PathBuf> = chapters
        .flatten()
        .filter_map(|c| std::fs::read_dir(c.path()).ok())
        .flat_map(|d| d.flatten().map(|e| e.path()))
        .collect();
    packages.sort();
    for package in packages {
        let Ok(files) = std::fs::read_dir(package.join("c")) else {
            continue;
        };
        let mut sources: Vec<PathBuf> = files
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "c"))
            .collect();
        if sources.is_empty() {
            continue;
        }
        sources.sort();
        let name = package
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .replace('-', "_");
        cc::Build::new()
            .files(&sources)
            .warnings(true)
            .extra_warnings(true)
            .compile(&format!("{name}_c"));
    }
}

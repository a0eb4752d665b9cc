//! Generates one module per expanded chapter in `book/markdown/`, each with
//! the chapter as its doc comment, so `cargo test --doc` runs the chapter's
//! code blocks. `cargo xtask test` builds the book first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
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

//! Compiles `c/split.c` into the static library `src/lib.rs` links.

fn main() {
    println!("cargo::rerun-if-changed=c");
    cc::Build::new()
        .file("c/split.c")
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("exercise_02_06_safe_splitter_c");
}

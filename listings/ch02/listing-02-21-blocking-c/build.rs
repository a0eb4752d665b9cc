//! Compiles `c/blocking.c` with the system's C compiler into a static
//! library, `liblisting_02_21_blocking_c_c.a`, and tells Cargo where it is.

fn main() {
    println!("cargo::rerun-if-changed=c");
    cc::Build::new()
        .file("c/blocking.c")
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("listing_02_21_blocking_c_c");
}

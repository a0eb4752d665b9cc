//! Listings 5-2 to 5-7 carry a copy of this protocol (their src/protocol.rs)
//! so that each folder builds alone; in the book's tree the code must stay
//! identical (only the opening doc comment, which says where the copy comes
//! from, differs).

/// The file without its opening `//!` lines.
fn code(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn listings_5_2_to_5_7_carry_identical_copies() {
    let here = env!("CARGO_MANIFEST_DIR");
    let original = code(&std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap());
    for copy in [
        "listing-05-02-bank-server",
        "listing-05-03-deadlines",
        "listing-05-04-naive-retry",
        "listing-05-05-idempotency-key",
        "listing-05-06-backoff",
        "listing-05-07-graceful-shutdown",
    ] {
        let path = format!("{copy}/src/protocol.rs");
        // Absent when this folder is copied alone: nothing to compare.
        if let Ok(text) = std::fs::read_to_string(format!("{here}/../{path}")) {
            assert!(code(&text) == original, "{path} differs from Listing 5-1");
        }
    }
}

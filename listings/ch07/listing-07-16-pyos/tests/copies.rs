//! Listings 7-17 to 7-20 carry copies of this OS so that each folder builds
//! alone; this test fails if a copy drifts from the original. A folder copied
//! alone has no siblings: then there is nothing to compare.

fn sibling(path: &str) -> Option<String> {
    std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).ok()
}

#[test]
fn copies_match_the_original() {
    let original = include_str!("../src/lib.rs");
    for (name, path) in [
        ("7-17", "listing-07-17-nested-traps/src/lib.rs"),
        ("7-19", "listing-07-19-idle-sweep/src/lib.rs"),
        ("7-20", "listing-07-20-foreign-future/src/lib.rs"),
    ] {
        if let Some(copy) = sibling(path) {
            assert!(
                copy == original,
                "Listing {name}'s src/lib.rs differs from Listing 7-16's"
            );
        }
    }
    // Listing 7-18 appends its echo server to the copy.
    if let Some(echo) = sibling("listing-07-18-pyos-echo/src/lib.rs") {
        assert!(
            echo.starts_with(original),
            "Listing 7-18's OS part differs from Listing 7-16's"
        );
    }
}

//! Listings 4-12 to 4-15 carry copies of this library so that each folder
//! builds alone; in the book's tree they must stay identical to it.

#[test]
fn the_later_listings_carry_identical_copies() {
    let here = env!("CARGO_MANIFEST_DIR");
    let original = std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap();
    for name in [
        "listing-04-12-as-completed",
        "listing-04-13-crash-timeout",
        "listing-04-14-chunking",
        "listing-04-15-shutdown",
    ] {
        // Absent when this folder is copied alone: nothing to compare.
        if let Ok(copy) = std::fs::read_to_string(format!("{here}/../{name}/src/lib.rs")) {
            assert!(
                copy == original,
                "{name}/src/lib.rs differs from Listing 4-11's"
            );
        }
    }
}

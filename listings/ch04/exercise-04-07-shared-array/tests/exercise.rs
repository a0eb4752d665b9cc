//! Tests for this exercise. `cargo test -p exercise-04-07-shared-array` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_07_shared_array as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{OpenError, open_shared, share};
use nix::sys::memfd::{MFdFlags, memfd_create};
use std::fs::File;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;

fn data(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * 0.25 - 7.0).collect()
}

/// An unsealed memfd holding `values`, as another program might make it.
fn plain_memfd(values: &[f64]) -> File {
    let file = File::from(memfd_create(c"test", MFdFlags::empty()).unwrap());
    file.write_all_at(bytemuck::cast_slice(values), 0).unwrap();
    file
}

#[test]
fn a_view_sees_the_shared_values() {
    let values = data(100_000);
    let shared = share(&values).unwrap();
    assert_eq!(shared.len(), values.len());
    let view = open_shared(shared.fd(), values.len()).unwrap();
    assert_eq!(view.as_slice(), &values[..]);
}

#[test]
fn two_views_of_one_descriptor_agree() {
    let values = data(5_000);
    let shared = share(&values).unwrap();
    let a = open_shared(shared.fd(), values.len()).unwrap();
    let b = open_shared(shared.fd(), values.len()).unwrap();
    assert_eq!(a.as_slice(), b.as_slice());
}

#[test]
fn the_view_maps_the_file_instead_of_copying_it() {
    let file = plain_memfd(&data(1_000));
    let view = open_shared(file.as_fd(), 1_000).unwrap();
    // Another writer changes value 10 after the view was opened.
    file.write_all_at(&42.5f64.to_ne_bytes(), 10 * 8).unwrap();
    assert_eq!(
        view.as_slice()[10],
        42.5,
        "the view holds a copy, not the shared pages"
    );
}

#[test]
fn the_shared_file_is_sealed() {
    let shared = share(&data(1_000)).unwrap();
    let file = File::from(shared.fd().try_clone_to_owned().unwrap());
    assert!(file.write_at(&[1u8; 8], 0).is_err(), "a write was allowed");
    assert!(file.set_len(4).is_err(), "shrinking was allowed");
    assert!(file.set_len(1 << 20).is_err(), "growing was allowed");
}

#[test]
fn a_short_file_is_rejected() {
    let file = plain_memfd(&data(10));
    match open_shared(file.as_fd(), 11) {
        Err(OpenError::TooShort { expected, actual }) => {
            assert_eq!((expected, actual), (88, 80));
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a short file was accepted"),
    }
}

#[test]
fn an_oversized_file_is_rejected() {
    let file = plain_memfd(&data(10));
    match open_shared(file.as_fd(), 9) {
        Err(OpenError::Oversized { expected, actual }) => {
            assert_eq!((expected, actual), (72, 80));
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("an oversized file was accepted"),
    }
    // A length whose byte count overflows is no valid array either.
    assert!(matches!(
        open_shared(file.as_fd(), usize::MAX),
        Err(OpenError::Oversized { .. })
    ));
}

#[test]
fn a_file_with_a_partial_value_is_rejected() {
    let file = plain_memfd(&data(10));
    file.set_len(84).unwrap(); // ten and a half values
    assert!(open_shared(file.as_fd(), 10).is_err());
    assert!(open_shared(file.as_fd(), 11).is_err());
}

#[test]
fn an_empty_array_can_be_shared() {
    let shared = share(&[]).unwrap();
    assert!(shared.is_empty());
    let view = open_shared(shared.fd(), 0).unwrap();
    assert!(view.as_slice().is_empty());
}

#[test]
fn a_view_outlives_the_handle_that_made_it() {
    let values = data(2_000);
    let shared = share(&values).unwrap();
    let view = open_shared(shared.fd(), values.len()).unwrap();
    drop(shared); // the descriptor closes; the mapping keeps the pages
    assert_eq!(view.as_slice(), &values[..]);
}

//! A flat array of f64 shared between processes through a sealed memfd.

use memmap2::Mmap;
// You will need some of these too:
// use memmap2::MmapMut;
// use nix::fcntl::{FcntlArg, SealFlag, fcntl};
// use nix::sys::memfd::{MFdFlags, memfd_create};
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};

/// An array copied into a sealed memfd: nobody can change it any more.
pub struct SharedArray {
    file: File,
    len: usize,
}

impl SharedArray {
    /// The descriptor to pass to another process (clear its close-on-exec
    /// flag, or let the child inherit it, as Listing 4-17 does).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Why a descriptor cannot be read as the array the caller expects.
#[derive(Debug)]
pub enum OpenError {
    /// The file has fewer bytes than `len` values need.
    TooShort { expected: u64, actual: u64 },
    /// The file has more bytes than `len` values need (or `len * 8`
    /// overflows).
    Oversized { expected: u64, actual: u64 },
    /// The file cannot be inspected or mapped.
    Io(io::Error),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::TooShort { expected, actual } => {
                write!(
                    f,
                    "shared file too short: {actual} bytes, expected {expected}"
                )
            }
            OpenError::Oversized { expected, actual } => {
                write!(
                    f,
                    "shared file too long: {actual} bytes, expected {expected}"
                )
            }
            OpenError::Io(e) => write!(f, "shared file: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// A read-only view of a shared array.
pub struct SharedView {
    #[allow(dead_code)] // used once you write `as_slice`
    map: Option<Mmap>,
}

impl SharedView {
    /// The values, read in place from the shared pages.
    pub fn as_slice(&self) -> &[f64] {
        todo!("the values in the mapping, or an empty slice")
    }
}

/// Copies `data` into a new memfd and seals it against writes and resizes.
pub fn share(data: &[f64]) -> io::Result<SharedArray> {
    let _ = data;
    todo!("create, fill and seal the memfd")
}

/// Maps `fd` read-only as exactly `len` values of f64.
pub fn open_shared(fd: BorrowedFd<'_>, len: usize) -> Result<SharedView, OpenError> {
    let _ = (fd, len);
    todo!("check the size, then map the file")
}

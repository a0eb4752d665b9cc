//! A flat array of f64 shared between processes through a sealed memfd.

use memmap2::{Mmap, MmapMut};
use nix::fcntl::{FcntlArg, SealFlag, fcntl};
use nix::sys::memfd::{MFdFlags, memfd_create};
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
    map: Option<Mmap>,
}

impl SharedView {
    /// The values, read in place from the shared pages.
    pub fn as_slice(&self) -> &[f64] {
        match &self.map {
            // The length and alignment were checked in `open_shared`.
            Some(map) => bytemuck::cast_slice(&map[..]),
            None => &[],
        }
    }
}

/// Copies `data` into a new memfd and seals it against writes and resizes.
pub fn share(data: &[f64]) -> io::Result<SharedArray> {
    let file = File::from(memfd_create(c"shared-array", MFdFlags::MFD_ALLOW_SEALING)?);
    let bytes: &[u8] = bytemuck::cast_slice(data);
    file.set_len(bytes.len() as u64)?;
    if !bytes.is_empty() {
        // SAFETY: the memfd is new and known only to this function; no one
        // else can write or resize it while we fill it.
        let mut map = unsafe { MmapMut::map_mut(&file)? };
        map.copy_from_slice(bytes);
    } // the writable mapping is gone: sealing against writes may succeed
    let seals = SealFlag::F_SEAL_WRITE | SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW;
    fcntl(&file, FcntlArg::F_ADD_SEALS(seals))?;
    Ok(SharedArray {
        file,
        len: data.len(),
    })
}

/// Maps `fd` read-only as exactly `len` values of f64.
pub fn open_shared(fd: BorrowedFd<'_>, len: usize) -> Result<SharedView, OpenError> {
    let file = File::from(fd.try_clone_to_owned()?);
    let actual = file.metadata()?.len();
    let Some(expected) = len.checked_mul(size_of::<f64>()).map(|b| b as u64) else {
        return Err(OpenError::Oversized {
            expected: u64::MAX,
            actual,
        });
    };
    if actual < expected {
        return Err(OpenError::TooShort { expected, actual });
    }
    if actual > expected {
        return Err(OpenError::Oversized { expected, actual });
    }
    if len == 0 {
        return Ok(SharedView { map: None });
    }
    // SAFETY: a shared file can change under the mapping. We accept only
    // what the caller promises: the writer sealed it (as `share` does) or
    // does not write or resize it while this view lives. The size was
    // checked above, so no access goes past the end of the file.
    let map = unsafe { Mmap::map(&file)? };
    // A mapping starts on a page boundary, so this cannot fail; checked
    // anyway rather than trusted.
    bytemuck::try_cast_slice::<u8, f64>(&map[..])
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{e:?}")))?;
    Ok(SharedView { map: Some(map) })
}

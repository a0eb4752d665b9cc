//! The ring of Listing 3-17, copied so that this folder builds alone (the
//! duplicate is intentional: keep the two files the same).
//!
//! A single-producer single-consumer ring of variable-length byte messages,
//! living in memory the caller provides. Under `--cfg loom` the two indices
//! are loom's atomics and every byte of the data area is a tracked cell.

#[cfg(loom)]
use loom::sync::atomic::AtomicU64;
use std::alloc::{self, Layout};
use std::ptr;
#[cfg(not(loom))]
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{self, Acquire, Release};

// ANCHOR: layout
/// Keeps an index alone on its 64-byte cache line, so that the producer's
/// stores and the consumer's stores do not fight over one line.
#[repr(C, align(64))]
struct Line(AtomicU64);

/// The start of the region; the data area follows it.
#[repr(C)]
struct Header {
    /// Bytes ever written. Stored by the producer only.
    write: Line,
    /// Bytes ever consumed. Stored by the consumer only.
    read: Line,
    /// Under loom: one tracked cell per data byte, so that loom sees every
    /// access to the data area and reports any it cannot order.
    #[cfg(loom)]
    cells: Vec<loom::cell::UnsafeCell<()>>,
}

/// Bytes before the data area.
const HEADER: usize = size_of::<Header>().next_multiple_of(64);
/// Bytes of a record's length prefix.
const PREFIX: usize = 4;
/// Records start at multiples of 8, so a prefix never straddles the end.
const ALIGN: usize = 8;
/// A prefix that means "the rest of the data area is padding: go to 0".
const PADDING: u32 = u32::MAX;

/// Bytes of memory a ring with `capacity` data bytes needs.
pub fn region_size(capacity: usize) -> usize {
    assert!(
        capacity.is_power_of_two() && capacity >= 16,
        "capacity must be a power of two, at least 16"
    );
    HEADER + capacity
}
// ANCHOR_END: layout

/// Bytes a message of `len` bytes takes in the ring, prefix included.
fn record_len(len: usize) -> usize {
    (PREFIX + len).next_multiple_of(ALIGN)
}

/// What both ends know about the region.
struct Ring {
    header: *const Header,
    data: *mut u8,
    capacity: usize,
}

impl Ring {
    /// # Safety
    ///
    /// As for [`Producer::attach`].
    unsafe fn new(region: *mut u8, capacity: usize) -> Ring {
        let _ = region_size(capacity); // checks the capacity
        assert!(
            (region as usize).is_multiple_of(64),
            "region must be 64-byte aligned"
        );
        Ring {
            header: region.cast(),
            // SAFETY: the region holds `HEADER + capacity` bytes.
            data: unsafe { region.add(HEADER) },
            capacity,
        }
    }

    fn header(&self) -> &Header {
        // SAFETY: the attach contract keeps the region alive and initialised
        // (zeroed bytes are valid atomics) while this end exists; the other
        // end changes the header only through atomics.
        unsafe { &*self.header }
    }

    fn max_message(&self) -> usize {
        self.capacity / 2 - PREFIX
    }

    /// Where a byte index (which only grows) lands in the data area.
    fn offset(&self, index: u64) -> usize {
        index as usize & (self.capacity - 1)
    }

    /// Copies `src` into the data area at `offset`.
    ///
    /// # Safety
    ///
    /// The bytes are inside the data area, and this end owns them: the other
    /// end neither reads nor writes them until this end hands them over.
    unsafe fn put(&self, offset: usize, src: &[u8]) {
        self.track(offset, src.len(), true);
        // SAFETY: in bounds and owned, by the caller's promise.
        unsafe { ptr::copy_nonoverlapping(src.as_ptr(), self.data.add(offset), src.len()) }
    }

    /// The bytes of the data area at `offset`.
    ///
    /// # Safety
    ///
    /// As for [`Ring::put`].
    unsafe fn get(&self, offset: usize, len: usize) -> &[u8] {
        self.track(offset, len, false);
        // SAFETY: in bounds and owned, by the caller's promise.
        unsafe { std::slice::from_raw_parts(self.data.add(offset), len) }
    }

    /// Reads a length prefix.
    ///
    /// # Safety
    ///
    /// As for [`Ring::put`].
    unsafe fn prefix(&self, offset: usize) -> u32 {
        // SAFETY: passed on from the caller.
        let bytes = unsafe { self.get(offset, PREFIX) };
        u32::from_ne_bytes(bytes.try_into().unwrap())
    }

    #[cfg(loom)]
    fn track(&self, offset: usize, len: usize, write: bool) {
        for cell in &self.header().cells[offset..offset + len] {
            if write {
                cell.with_mut(|_| ());
            } else {
                cell.with(|_| ());
            }
        }
    }

    #[cfg(not(loom))]
    #[inline(always)]
    fn track(&self, _offset: usize, _len: usize, _write: bool) {}
}

/// The sending end.
pub struct Producer {
    ring: Ring,
    /// Our own index; only we change it, so a local copy is always exact.
    write: u64,
    /// The consumer's index as last loaded. It only grows, so there is at
    /// least this much room: we load the real one only when this is not
    /// enough, and leave the consumer's cache line alone otherwise.
    read_cache: u64,
    /// `Release`; `Relaxed` only in the loom test that shows the bug.
    publish: Ordering,
}

/// The receiving end.
pub struct Consumer {
    ring: Ring,
    /// Our own index.
    read: u64,
    /// The producer's index as last loaded: everything below it is ours.
    write_cache: u64,
}

// SAFETY: each end holds raw pointers into the region, which the attach
// contract keeps valid wherever the end goes; the end is the only one of its
// kind, and the protocol, not the thread, decides who touches which bytes.
unsafe impl Send for Producer {}
// SAFETY: as for `Producer`.
unsafe impl Send for Consumer {}

impl Producer {
    /// Attaches the sending end to a region.
    ///
    /// # Safety
    ///
    /// `region` points to `region_size(capacity)` bytes, 64-byte aligned and
    /// zeroed before either end attached (under loom: made by [`HeapRegion`]).
    /// The region stays valid while this end lives, and nothing else uses it
    /// but exactly one `Producer` and one `Consumer`, in this process or in
    /// another one that maps the same memory.
    pub unsafe fn attach(region: *mut u8, capacity: usize) -> Producer {
        // SAFETY: passed on from the caller.
        unsafe { Self::attach_with(region, capacity, Release) }
    }

    /// A producer that publishes with `Relaxed`: wrong on purpose.
    ///
    /// # Safety
    ///
    /// As for [`Producer::attach`], and call it only inside a loom model:
    /// the consumer may read bytes before they are written.
    #[doc(hidden)]
    pub unsafe fn attach_relaxed(region: *mut u8, capacity: usize) -> Producer {
        // SAFETY: passed on from the caller.
        unsafe { Self::attach_with(region, capacity, Ordering::Relaxed) }
    }

    unsafe fn attach_with(region: *mut u8, capacity: usize, publish: Ordering) -> Producer {
        // SAFETY: passed on from the caller.
        let ring = unsafe { Ring::new(region, capacity) };
        Producer {
            ring,
            write: 0,
            read_cache: 0,
            publish,
        }
    }

    /// The longest message that always fits, eventually.
    pub fn max_message(&self) -> usize {
        self.ring.max_message()
    }

    // ANCHOR: send
    /// Copies `msg` into the ring and publishes it; `false` if there is no
    /// room now. Panics if `msg` is longer than [`Producer::max_message`].
    pub fn try_send(&mut self, msg: &[u8]) -> bool {
        assert!(msg.len() <= self.max_message(), "message too long");
        let capacity = self.ring.capacity;
        let record = record_len(msg.len());
        let offset = self.ring.offset(self.write);
        // A record never wraps: if it does not fit before the end, pad to
        // the end and start it at 0.
        let pad = if record <= capacity - offset {
            0
        } else {
            capacity - offset
        };
        let end = self.write + (pad + record) as u64;
        if end - self.read_cache > capacity as u64 {
            // Acquire: pairs with the consumer's Release store of `read`, so
            // its reads of the bytes we are about to reuse happen before our
            // writes to them.
            self.read_cache = self.ring.header().read.0.load(Acquire);
            if end - self.read_cache > capacity as u64 {
                return false;
            }
        }
        // SAFETY: the bytes from `write` to `end` are in the data area and
        // free (the consumer has moved past them), and the consumer does not
        // look at them before we publish `end` below.
        unsafe {
            if pad > 0 {
                self.ring.put(offset, &PADDING.to_ne_bytes());
            }
            let start = (offset + pad) & (capacity - 1);
            self.ring.put(start, &(msg.len() as u32).to_ne_bytes());
            self.ring.put(start + PREFIX, msg);
        }
        self.write = end;
        // Release: the copies above happen before anything a thread does
        // after an Acquire load that sees `end`.
        self.ring.header().write.0.store(end, self.publish);
        true
    }
    // ANCHOR_END: send
}

impl Consumer {
    /// Attaches the receiving end to a region.
    ///
    /// # Safety
    ///
    /// As for [`Producer::attach`].
    pub unsafe fn attach(region: *mut u8, capacity: usize) -> Consumer {
        Consumer {
            // SAFETY: passed on from the caller.
            ring: unsafe { Ring::new(region, capacity) },
            read: 0,
            write_cache: 0,
        }
    }

    // ANCHOR: recv
    /// Replaces `out`'s contents with the next message; `false` if the ring
    /// is empty. Panics if the producer broke the ring's format.
    pub fn try_recv(&mut self, out: &mut Vec<u8>) -> bool {
        let capacity = self.ring.capacity as u64;
        if self.read == self.write_cache {
            // Acquire: pairs with the producer's Release store of `write`,
            // so the bytes of every record below it are visible to us.
            self.write_cache = self.ring.header().write.0.load(Acquire);
            if self.read == self.write_cache {
                return false;
            }
            // The index may come from another process: check, don't trust.
            assert!(
                self.write_cache.wrapping_sub(self.read) <= capacity,
                "corrupt ring"
            );
        }
        let mut offset = self.ring.offset(self.read);
        // SAFETY (this block and the next): `read` is below `write_cache`,
        // so the producer has published these bytes, and it does not touch
        // them again until we move `read` past them.
        let mut len = unsafe { self.ring.prefix(offset) };
        if len == PADDING {
            self.read += capacity - offset as u64;
            offset = 0;
            assert!(self.read < self.write_cache, "corrupt ring");
            len = unsafe { self.ring.prefix(0) };
        }
        let record = record_len(len as usize) as u64;
        // A record must lie within what was published and within the ring:
        // a bad length from the other process must not become a wild read.
        let valid = len as usize <= self.ring.max_message() && offset as u64 + record <= capacity;
        assert!(
            valid && self.read + record <= self.write_cache,
            "corrupt ring"
        );
        out.clear();
        out.extend_from_slice(unsafe { self.ring.get(offset + PREFIX, len as usize) });
        self.read += record;
        // Release: our reads of the record happen before the producer's
        // Acquire load that sees the new `read`, so before it reuses them.
        self.ring.header().read.0.store(self.read, Release);
        true
    }
    // ANCHOR_END: recv
}

/// A zeroed, 64-byte aligned heap allocation of `region_size(capacity)`
/// bytes, for a ring between two threads.
pub struct HeapRegion {
    ptr: *mut u8,
    layout: Layout,
}

// SAFETY: an owned allocation; the ends that use it have their own rules.
unsafe impl Send for HeapRegion {}
// SAFETY: `HeapRegion` itself never reads or writes the memory after `new`.
unsafe impl Sync for HeapRegion {}

impl HeapRegion {
    pub fn new(capacity: usize) -> HeapRegion {
        let layout = Layout::from_size_align(region_size(capacity), 64).unwrap();
        // SAFETY: the layout's size is not zero.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        if ptr.is_null() {
            alloc::handle_alloc_error(layout);
        }
        // Loom's atomics and cells must be made by loom, not zeroed.
        #[cfg(loom)]
        // SAFETY: fresh, aligned, and large enough for a `Header`.
        unsafe {
            ptr.cast::<Header>().write(Header {
                write: Line(AtomicU64::new(0)),
                read: Line(AtomicU64::new(0)),
                cells: (0..capacity)
                    .map(|_| loom::cell::UnsafeCell::new(()))
                    .collect(),
            })
        };
        HeapRegion { ptr, layout }
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }
}

impl Drop for HeapRegion {
    fn drop(&mut self) {
        #[cfg(loom)]
        // SAFETY: written in `new`, dropped once here.
        unsafe {
            ptr::drop_in_place(self.ptr.cast::<Header>())
        };
        // SAFETY: allocated in `new` with this layout.
        unsafe { alloc::dealloc(self.ptr, self.layout) }
    }
}

//! A doorbell for a ring that may be empty: instead of spinning, the
//! consumer sleeps in the kernel on a futex (a 32-bit word in the memory the
//! two processes share), and the producer wakes it, making a system call
//! only when the consumer is actually asleep.

// The libc crate as nix re-exports it, so that one version serves both.
use nix::libc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, SeqCst};
use std::sync::atomic::{AtomicU32, fence};
use std::time::{Duration, Instant};
use std::{io, ptr};

const AWAKE: u32 = 0;
const ASLEEP: u32 = 1;

// ANCHOR: futex
/// Sleeps while `*word == expected`, for at most `timeout`. The kernel
/// compares and goes to sleep as one step, under its own lock on the word.
fn futex_wait(word: &AtomicU32, expected: u32, timeout: Duration) -> io::Result<()> {
    let timeout = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: `word` is a live, aligned 32-bit word for the whole call, and
    // the kernel only reads it; `timeout` outlives the call. No
    // FUTEX_PRIVATE_FLAG: the word is shared between processes, so the
    // kernel must find waiters by the physical page, not by our address.
    let r = unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT,
            expected,
            &timeout as *const libc::timespec,
            ptr::null::<u32>(),
            0,
        )
    };
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        // Woken, the word had already changed, a timeout or a signal: the
        // caller checks again in every case.
        _ if r == 0 => Ok(()),
        Some(libc::EAGAIN | libc::ETIMEDOUT | libc::EINTR) => Ok(()),
        _ => Err(err),
    }
}

/// Wakes one thread sleeping on `word`, in any process.
fn futex_wake(word: &AtomicU32) {
    // SAFETY: as above; FUTEX_WAKE does not even read the word.
    unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, 1) };
}
// ANCHOR_END: futex

/// One 32-bit word, alone on its cache line, in the shared memory.
#[repr(C, align(64))]
pub struct Doorbell {
    state: AtomicU32,
}

impl Doorbell {
    /// The doorbell at `at`.
    ///
    /// # Safety
    ///
    /// `at` points to 64 bytes, 64-byte aligned and zeroed before first use,
    /// that stay mapped for `'a` and are used only through this type: by one
    /// waiting consumer and one ringing producer, in any processes.
    pub unsafe fn at<'a>(at: *mut u8) -> &'a Doorbell {
        assert!((at as usize).is_multiple_of(64));
        // SAFETY: aligned, mapped and zero-initialised by the caller's
        // promise; `Doorbell` is an `AtomicU32`, valid when zero, and the
        // other process reaches it only through atomics.
        unsafe { &*at.cast::<Doorbell>() }
    }

    // ANCHOR: wait
    /// Consumer: returns once `ready()` holds (true), or after `timeout`
    /// (false). `ready` looks at the ring, with an Acquire load.
    pub fn wait_until(
        &self,
        mut ready: impl FnMut() -> bool,
        timeout: Duration,
    ) -> io::Result<bool> {
        let deadline = Instant::now() + timeout;
        while !ready() {
            // Announce the nap, then look again. Between our first look and
            // this store, the producer may have published and not rung.
            self.state.store(ASLEEP, Relaxed);
            // SeqCst fence: pairs with the producer's fence in `ring`; either
            // it sees ASLEEP, or our second look sees its message.
            fence(SeqCst);
            if ready() {
                break;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                self.state.store(AWAKE, Relaxed);
                return Ok(false);
            };
            // The lost wake-up: the producer may ring right here, before we
            // sleep. It has set AWAKE, so the kernel, comparing the word
            // with ASLEEP, returns at once instead of sleeping forever.
            futex_wait(&self.state, ASLEEP, left)?;
        }
        self.state.store(AWAKE, Relaxed);
        Ok(true)
    }

    /// Producer: call after publishing a message. Costs a fence and a load
    /// when the consumer is awake; a system call only when it sleeps.
    pub fn ring(&self) {
        // SeqCst fence: orders the ring's index store before the load below.
        fence(SeqCst);
        if self.state.load(Relaxed) == ASLEEP && self.state.swap(AWAKE, Acquire) == ASLEEP {
            futex_wake(&self.state);
        }
    }
    // ANCHOR_END: wait
}

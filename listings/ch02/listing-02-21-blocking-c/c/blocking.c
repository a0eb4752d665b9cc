/* A stand-in for a slow library call (a disk read, a DNS lookup, a database
 * query): it blocks the calling thread for `ms` milliseconds, then returns
 * x * x. It reads only its arguments and keeps no state.
 *
 * The product is computed in unsigned arithmetic, which wraps on overflow as
 * Rust's `wrapping_mul` does. `x * x` on `long` would be undefined behaviour
 * for |x| above about three billion, and Rust calls this function as a
 * `safe fn`: it must be sound for every argument. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <time.h>

long blocking_slow_square(long x, unsigned ms)
{
    struct timespec left = {
        .tv_sec = ms / 1000,
        .tv_nsec = (long)(ms % 1000) * 1000000L,
    };
    /* A signal ends nanosleep early; sleep again for the time left. */
    while (nanosleep(&left, &left) == -1 && errno == EINTR) {
        continue;
    }
    unsigned long ux = (unsigned long)x;
    /* Back to `long`: GCC and Clang define this conversion as wrapping. */
    return (long)(ux * ux);
}

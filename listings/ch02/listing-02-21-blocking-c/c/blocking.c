/* A stand-in for a slow library call (a disk read, a DNS lookup, a database
 * query): it blocks the calling thread for `ms` milliseconds, then returns
 * x * x. It reads only its arguments and keeps no state. */
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
    return x * x;
}

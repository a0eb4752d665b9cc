/* A slow digest: it waits `ms` milliseconds, standing for a device or a
 * server taking its time, then returns the 64-bit FNV-1a hash of the `len`
 * bytes at `data`. It reads only that buffer and keeps no state. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

uint64_t slow_fnv_digest(const uint8_t *data, size_t len, unsigned ms)
{
    struct timespec left = {
        .tv_sec = ms / 1000,
        .tv_nsec = (long)(ms % 1000) * 1000000L,
    };
    while (nanosleep(&left, &left) == -1 && errno == EINTR) {
        continue;
    }
    uint64_t hash = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        hash ^= data[i];
        hash *= 0x100000001b3u;
    }
    return hash;
}

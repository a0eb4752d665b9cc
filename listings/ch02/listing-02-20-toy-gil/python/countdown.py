"""Beazley's countdown under CPython: one thread, then two threads sharing
the same work, then the same two threads confined to one CPU.
Prints the three median times in seconds (of REPS runs each, default 3)."""
import os
import statistics
import sys
import threading
import time


def count(n):
    while n > 0:
        n -= 1


def timed(threads, n):
    workers = [threading.Thread(target=count, args=(n // threads,)) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start


n = int(sys.argv[1])
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
timed(1, n // 4)  # warm up: the first run pays for CPU frequency and caches
ones, twos = [], []
for _ in range(reps):  # alternate, so that drift affects both alike
    ones.append(timed(1, n))
    twos.append(timed(2, n))
# Threads started from now on inherit this thread's CPU set: one CPU.
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
pinned = [timed(2, n) for _ in range(reps)]
print(statistics.median(ones), statistics.median(twos), statistics.median(pinned))

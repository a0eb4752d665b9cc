"""Beazley's countdown under CPython: one thread, then two threads sharing
the same work, then the same two threads confined to one CPU.
Prints the three times in seconds."""
import os
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
one = timed(1, n)
two = timed(2, n)
# Threads started from now on inherit this thread's CPU set: one CPU.
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
pinned = timed(2, n)
print(one, two, pinned)

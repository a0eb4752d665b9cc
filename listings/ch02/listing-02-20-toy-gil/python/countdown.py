"""Beazley's countdown under CPython: one thread, then two threads sharing
the same work, then the same two threads confined to one CPU.
Prints the three median times in seconds (of REPS runs each, default 3).
Usage: countdown.py N [REPS]"""
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
every_cpu = os.sched_getaffinity(0)
one_cpu = {min(every_cpu)}
# Warm up. CPython 3.11 and later specialise ("quicken") a function's bytecode
# only after it has been called several times: without this, the first timed
# runs would execute slower, generic bytecode and the comparison would be off.
for _ in range(16):
    count(1000)
timed(1, n // 4)
ones, twos, pinned = [], [], []
# Take the three in turns, so that a drift in the machine's speed affects
# all three alike. Threads inherit the CPU set of the thread that starts them.
for _ in range(reps):
    ones.append(timed(1, n))
    twos.append(timed(2, n))
    os.sched_setaffinity(0, one_cpu)
    pinned.append(timed(2, n))
    os.sched_setaffinity(0, every_cpu)
print(statistics.median(ones), statistics.median(twos), statistics.median(pinned))

#!/usr/bin/env python3
"""How long an acknowledged append waits on this disk, alone and beside a checkpoint-like
writer; prints figures and ratios, asserts nothing.

A producer offers events at a fixed rate; a syncer writes whatever has arrived to a
preallocated file and `fdatasync`s it, and each event's wait runs from its arrival to the end
of its sync. This is the least `audit ingest --ack` could do with no CPU of its own. The run
is repeated beside a second process that writes like SQLite's checkpointer does (copying
pages into another file as fast as it can, then `fdatasync`), every 0.5 s and every 20 ms,
at the same bytes per second. The anchor is the run with nothing beside it.

Usage: bench/sync_under_load.py [--rate 50000] [--event-bytes 1600] [--background-mb 35]
(1,600 bytes per event: what SQLite's WAL receives per event when small commits rewrite
whole 16 KiB pages.)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time


def background(path, period, mb_per_s):
    """Copy `mb_per_s * period` MB in 16 KiB pages as fast as possible, then sync; repeat."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    page = b"y" * 16384
    pages = max(1, int(mb_per_s * period * 1e6 / len(page)))
    off = 0
    while True:
        t = time.perf_counter()
        for _ in range(pages):
            os.pwrite(fd, page, off)
            off = (off + len(page)) % (512 << 20)
        os.fdatasync(fd)
        rest = period - (time.perf_counter() - t)
        if rest > 0:
            time.sleep(rest)


def acked(path, rate, event_bytes, seconds=4.0):
    size = 256 << 20
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if os.fstat(fd).st_size != size:
        block = b"\0" * (1 << 20)
        for i in range(size >> 20):
            os.pwrite(fd, block, i << 20)
        os.fsync(fd)
    pending, cond, waits, done = [], threading.Condition(), [], []

    def syncer():
        off = 0
        while True:
            with cond:
                while not pending and not done:
                    cond.wait()
                batch = pending[:]
                pending.clear()
                finished = bool(done)
            if batch:
                n = event_bytes * len(batch)
                os.pwrite(fd, b"x" * n, off)
                off = (off + n) % (size - (16 << 20))
                os.fdatasync(fd)
                now = time.perf_counter()
                waits.extend(now - a for a in batch)
            if finished and not batch:
                return

    t = threading.Thread(target=syncer)
    t.start()
    start, offered = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        now = time.perf_counter()
        due = int((now - start) * rate)
        with cond:
            pending.extend([now] * (due - offered))
            cond.notify()
        offered = due
        time.sleep(0.0005)
    with cond:
        done.append(True)
        cond.notify()
    t.join()
    os.close(fd)
    waits.sort()
    return {q: waits[int(q * (len(waits) - 1))] * 1000 for q in (0.5, 0.99)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=50_000)
    ap.add_argument("--event-bytes", type=int, default=1600)
    ap.add_argument("--background-mb", type=float, default=35.0)
    ap.add_argument("--background", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.background:
        background(args.file, args.background, args.background_mb)
        return
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR", "/var/tmp")) as d:
        log, other = os.path.join(d, "log"), os.path.join(d, "other")
        print(f"acknowledged appends at {args.rate}/s, {args.event_bytes} bytes each, one fdatasync per group")
        anchor = acked(log, args.rate, args.event_bytes)
        print(f"  alone (anchor):          p50 {anchor[0.5]:6.2f} ms  p99 {anchor[0.99]:6.2f} ms")
        for period in (0.5, 0.02):
            bg = subprocess.Popen([sys.executable, __file__, "--background", str(period), "--file", other,
                                   "--background-mb", str(args.background_mb)])
            try:
                time.sleep(0.5)
                r = acked(log, args.rate, args.event_bytes)
            finally:
                bg.kill()
                bg.wait()
            print(f"  beside {args.background_mb:g} MB/s synced every {period * 1000:g} ms: p50 {r[0.5]:6.2f} ms  "
                  f"p99 {r[0.99]:6.2f} ms ({r[0.99] / anchor[0.99]:.1f}x the anchor's p99)")


if __name__ == "__main__":
    main()

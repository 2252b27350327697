#!/usr/bin/env python3
"""Benchmark the daemon against running in-process, all in one run:

  read      `list-agents` and `mcp list` through the daemon vs in-process (medians, end to
            end, spawning the CLI each time, against spawning `true`); goal: daemon median
            <= in-process and < 3 ms
  parallel  8 concurrent shell scripts each running N audited commands (`mcp rules`), total
            time with the daemon vs without; goal >= 3x faster with it
  idle      the idle daemon's resident memory and CPU time over a few seconds; goal < 30 MB
            and no CPU

Prints figures and ratios; asserts nothing.

Usage: bench/daemon.py [--runs N] [--scripts 8] [--commands 200] [--only read,parallel,idle]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import release  # bench/release.py

ROOT = Path(__file__).resolve().parent.parent


DEVNULL = os.open(os.devnull, os.O_WRONLY)


def timed(cmd, env):
    """Milliseconds from spawning `cmd` to its exit, as a shell would run it: posix_spawn and
    wait, without subprocess's pipes and bookkeeping (which add about 0.7 ms here)."""
    acts = [(os.POSIX_SPAWN_DUP2, DEVNULL, 1), (os.POSIX_SPAWN_DUP2, DEVNULL, 2)]
    t = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=acts)
    _, status = os.waitpid(pid, 0)
    ms = (time.perf_counter() - t) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return ms


def proc_stat(pid):
    """(rss in MB, cpu seconds) of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--scripts", type=int, default=8)
    ap.add_argument("--commands", type=int, default=200)
    ap.add_argument("--only", default="read,parallel,idle")
    ap.add_argument("--binary", help="time this pc-hybrid instead of the release build")
    args = ap.parse_args()
    only = set(args.only.split(","))

    binary = release.binary(args.binary)
    work = Path(tempfile.mkdtemp(prefix="pc-bench-daemon-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENT_FACTORY_", "ANALYTICS_", "AUDIT_", "PC_HYBRID_DAEMON"))}
    env.update({"PROMPTCRAFT_HOME": str(work / "home"), "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com"})
    local = {**env, "PC_HYBRID_DAEMON": "never"}
    served = {**env, "PC_HYBRID_DAEMON": "always"}
    med = statistics.median
    try:
        for i in range(5):
            subprocess.run([binary, "create-agent", "-q", "--name", f"agent_{i}", "--domain", "finance",
                            "--description", "Bench agent", "--output-dir", str(work / "agents")],
                           check=True, env=local, stdout=subprocess.DEVNULL)
        start = subprocess.run([binary, "daemon", "start", "-q", "-o", "json"], check=True, env=env,
                               capture_output=True, text=True)
        import json
        pid = json.loads(start.stdout)["pid"]

        if "read" in only:
            anchor = med([timed([shutil.which("true"), "x"], env) for _ in range(args.runs)])
            print(f"read anchor: spawning `true` median {anchor:.2f} ms")
            for cmd in (["list-agents"], ["mcp", "list"]):
                a, b = [], []
                for _ in range(args.runs):
                    a.append(timed([binary, *cmd], local))
                    b.append(timed([binary, *cmd], served))
                print(f"read {' '.join(cmd):12s} in-process median {med(a):6.2f} ms   daemon median {med(b):6.2f} ms   "
                      f"ratio in-process/daemon {med(a)/med(b):.2f}x   (goal: daemon <= in-process and < 3 ms)")

        if "parallel" in only:
            # Each script is a shell loop, as a CI job would run the CLI; it stops at the
            # first failure.
            loop = f'i=0; while [ $i -lt {args.commands} ]; do "$0" mcp rules >/dev/null || exit 1; i=$((i+1)); done'
            totals = {}
            for name, e in (("in-process", local), ("daemon", served)):
                t = time.perf_counter()
                scripts = [subprocess.Popen(["sh", "-c", loop, binary], env=e) for _ in range(args.scripts)]
                if any(p.wait() != 0 for p in scripts):
                    raise SystemExit(f"a script failed ({name})")
                totals[name] = time.perf_counter() - t
            n = args.scripts * args.commands
            print(f"parallel {args.scripts} scripts x {args.commands} audited commands: in-process {totals['in-process']:.2f} s "
                  f"({n/totals['in-process']:.0f}/s), daemon {totals['daemon']:.2f} s ({n/totals['daemon']:.0f}/s), "
                  f"ratio {totals['in-process']/totals['daemon']:.2f}x   (goal >= 3x)")

        if "idle" in only:
            time.sleep(2)
            rss, cpu0 = proc_stat(pid)
            time.sleep(5)
            rss2, cpu1 = proc_stat(pid)
            print(f"idle daemon: RSS {max(rss, rss2):.1f} MB (goal < 30 MB), CPU over 5 s idle {cpu1-cpu0:.3f} s (goal 0)")
    finally:
        subprocess.run([binary, "daemon", "stop", "-q"], env=env)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

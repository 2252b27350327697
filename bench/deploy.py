#!/usr/bin/env python3
"""Benchmark `deploy-agent` to all replicas healthy, in one run; prints figures and ratios,
asserts nothing.

- local, 2 replicas, environment cached: `pc-hybrid deploy-agent --replicas 2 --wait`
  against the same two processes started by hand with a health-poll loop (the anchor).
- docker, 2 replicas, image cached: `pc-hybrid deploy-agent --target docker --replicas 2
  --wait` against a shell script doing the same with `docker run` and a health-poll loop.

Run it beside the services the tests use (Docker Engine, base image, registry):
    scripts/with-services.sh .venv/bin/python bench/deploy.py [--runs N]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import release  # bench/release.py

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(os.environ.get("PC_HYBRID_TEST_PYTHON", ROOT / ".venv/bin/python"))
NAME = "bench_agent"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def timed(cmd, env, cwd=None):
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"{cmd[:3]} exited {r.returncode}: {r.stderr.decode()[-2000:]}")
    return ms, r.stdout


POLL = r"""
set -eu
deadline=$(( $(date +%s) + 60 ))
for port in "$@"; do
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "timeout on $port" >&2; exit 1; }
        sleep 0.02
    done
done
"""

DOCKER_BY_HAND = r"""
set -eu
image=$1; shift
for port in "$@"; do
    docker run -d --name "bench-hand-$port" --network host --user 10001:10001 --read-only \
        --tmpfs /tmp --tmpfs /app/knowledge/pulled:uid=10001,gid=10001 --cap-drop ALL \
        --security-opt no-new-privileges --memory 512m --cpus 0.5 --restart unless-stopped \
        -e AGENT_TRANSPORT=streamable-http -e AGENT_HOST=127.0.0.1 -e AGENT_PORT="$port" \
        "$image" >/dev/null
done
""" + POLL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    for var in ("PC_HYBRID_TEST_DOCKER_HOST", "PC_HYBRID_TEST_BASE_IMAGE", "PC_HYBRID_TEST_REGISTRY"):
        if var not in os.environ:
            sys.exit(f"{var} is not set: run this under scripts/with-services.sh")
    exe = release.binary()
    work = Path(tempfile.mkdtemp(prefix="pc-hybrid-bench-"))
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(work),
        "PROMPTCRAFT_HOME": str(work / "home"),
        "LANG": "C.UTF-8",
        "PC_HYBRID_PYTHON": str(PYTHON),
        "PC_HYBRID_ENV_DIR": str(ROOT / "target/test-envs"),
        "DOCKER_HOST": os.environ["PC_HYBRID_TEST_DOCKER_HOST"],
        "AGENT_BASE_IMAGE": os.environ["PC_HYBRID_TEST_BASE_IMAGE"],
        "AGENT_FACTORY_REGISTRY_URL": os.environ["PC_HYBRID_TEST_REGISTRY"],
    }
    try:
        subprocess.run([exe, "create-agent", "--name", NAME, "--domain", "finance", "--description", "Answers tax questions", "-q"],
                       env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
        project = work / NAME

        # Local: warm the environment once, then time fresh deployments.
        timed([exe, "deploy-agent", NAME, "--replicas", "2", "--wait"], env)
        timed([exe, "undeploy", NAME], env)
        ours, hand = [], []
        envpy = None
        for _ in range(args.runs):
            ms, out = timed([exe, "deploy-agent", NAME, "--replicas", "2", "--wait", "-o", "json"], env)
            ours.append(ms)
            timed([exe, "undeploy", NAME], env)
            # The anchor: the same two processes, started by hand, polled until healthy.
            envpy = envpy or next((ROOT / "target/test-envs").glob("*/bin/python"))
            ports = [free_port(), free_port()]
            t = time.perf_counter()
            procs = [
                subprocess.Popen(
                    [str(envpy), "-m", NAME, "--transport", "streamable-http", "--host", "127.0.0.1", "--port", str(p)],
                    cwd=project, env={**env, "AGENT_HOME": str(project), "PYTHONPATH": str(project / "src")},
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                )
                for p in ports
            ]
            subprocess.run(["sh", "-c", POLL, "poll", *map(str, ports)], check=True)
            hand.append((time.perf_counter() - t) * 1000)
            for p in procs:
                p.kill()
                p.wait()
        o, h = statistics.median(ours), statistics.median(hand)
        print(f"local, 2 replicas to healthy (environment cached), median of {args.runs}:")
        print(f"  pc-hybrid deploy-agent --wait: {o:7.1f} ms (goal: < 1500 ms)")
        print(f"  by hand (2 processes + health-poll loop): {h:7.1f} ms  -> ratio {o / h:.2f}")

        # Docker: build and push once, then time fresh deployments with the image cached.
        ms, out = timed([exe, "deploy-agent", NAME, "--target", "docker", "--replicas", "2", "--wait", "-o", "json"], env)
        image = json.loads(out)["deployment"]["artifact"]
        print(f"\ndocker: first deploy (build + push + 2 replicas): {ms:.0f} ms; image {image}")
        timed([exe, "undeploy", NAME, "--target", "docker"], env)
        ours, hand = [], []
        for _ in range(args.runs):
            ms, _ = timed([exe, "deploy-agent", NAME, "--target", "docker", "--replicas", "2", "--wait"], env)
            ours.append(ms)
            timed([exe, "undeploy", NAME, "--target", "docker"], env)
            ports = [free_port(), free_port()]
            ms, _ = timed(["sh", "-c", DOCKER_BY_HAND, "by-hand", image, *map(str, ports)], env)
            hand.append(ms)
            subprocess.run(["docker", "rm", "-f", *[f"bench-hand-{p}" for p in ports]], env=env, stdout=subprocess.DEVNULL, check=True)
        o, h = statistics.median(ours), statistics.median(hand)
        print(f"docker, 2 replicas to healthy (image cached), median of {args.runs}:")
        print(f"  pc-hybrid deploy-agent --target docker --wait: {o:7.1f} ms")
        print(f"  shell script (docker run x2 + health-poll loop): {h:7.1f} ms")
        print(f"  pc-hybrid takes {(o / h - 1) * 100:+.1f}% of the script's time (goal: within +10%)")
    finally:
        subprocess.run([exe, "undeploy", NAME], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

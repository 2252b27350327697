#!/usr/bin/env python3
"""Benchmark the MCP gateway in one run, against its anchors, with one client for every path
(examples/mcp_load.rs) and one fast upstream (bench/echo_server.py, a stdio server that
answers at once):

  direct      the client talks to the echo server's stdio itself
  gateway     the client calls `echo__echo` at the daemon's /mcp (Unix socket); the daemon
              routes it to the echo server, authorises it, audits it and records its
              execution
  mcp-proxy   PyPI `mcp-proxy` (installed into target/bench-mcp-proxy) serving the echo
              server over streamable HTTP on a loopback port: a plain proxy, no governance

Latency: sequential calls, p50 and p99; the gateway's overhead is its figure minus the direct
one (goal: p50 under 1 ms, p99 under 5 ms added). Throughput: many connections for some
seconds (goal: at least 5,000 calls/s through the gateway), then the daemon is stopped and
the executions and audit events stored are counted against the calls made (every one
recorded durably). Prints figures and ratios; asserts nothing.

Usage: bench/gateway.py [--runs N] [--calls N] [--seconds S] [--connections C] [--binary PATH]
"""

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import release  # bench/release.py

ROOT = Path(__file__).resolve().parent.parent
ECHO = ROOT / "bench/echo_server.py"
PROXY_VERSION = "0.13.0"


def mcp_proxy():
    venv = ROOT / "target/bench-mcp-proxy"
    exe = venv / "bin/mcp-proxy"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", f"mcp-proxy=={PROXY_VERSION}"], check=True)
    return str(exe)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def run(client, *args):
    out = subprocess.run([client, *map(str, args)], check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--binary")
    args = ap.parse_args()
    binary = release.binary(args.binary)
    client = release.built("mcp_load", "--example", "mcp_load")
    proxy = mcp_proxy()
    python = shutil.which("python3")
    work = Path(tempfile.mkdtemp(prefix="pc-bench-gateway-"))
    home = work / "home"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(work), "PROMPTCRAFT_HOME": str(home), "LANG": "C.UTF-8"}
    manifest = work / "echo.yaml"
    manifest.write_text(
        "apiVersion: mcp.promptcraft.io/v1\nkind: MCPServer\nmetadata: {name: echo, version: 1.0.0}\n"
        f"spec:\n  command: [{python}, {ECHO}]\n  capabilities:\n  - {{name: echo, endpoint: /tools/echo, method: POST}}\n")
    subprocess.run([binary, "mcp", "register", str(manifest)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([binary, "daemon", "start"], env=env, check=True, stdout=subprocess.DEVNULL)
    sock = home / "run/daemon.sock"
    port = free_port()
    proxy_proc = subprocess.Popen([proxy, "--port", str(port), "--host", "127.0.0.1", "--", python, str(ECHO)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    made = 0
    try:
        wait_port(port)
        targets = {
            "direct": (f"stdio:{python} {ECHO}", "echo"),
            "gateway": (f"unix:{sock}", "echo__echo"),
            "mcp-proxy": (f"http://127.0.0.1:{port}/mcp", "echo"),
        }
        print(f"latency: {args.calls} sequential calls (after {args.calls // 10} warm-up calls), {args.runs} runs")
        for r in range(args.runs):
            got = {k: run(client, "latency", t, tool, args.calls) for k, (t, tool) in targets.items()}
            made += args.calls + args.calls // 10
            d, g, p = got["direct"], got["gateway"], got["mcp-proxy"]
            print(f"  run {r + 1}: direct p50 {d['p50_ms']:.3f} ms p99 {d['p99_ms']:.3f} ms | "
                  f"gateway p50 {g['p50_ms']:.3f} ms p99 {g['p99_ms']:.3f} ms | "
                  f"mcp-proxy p50 {p['p50_ms']:.3f} ms p99 {p['p99_ms']:.3f} ms")
            print(f"         gateway adds p50 {g['p50_ms'] - d['p50_ms']:.3f} ms (goal < 1), "
                  f"p99 {g['p99_ms'] - d['p99_ms']:.3f} ms (goal < 5); mcp-proxy adds p50 "
                  f"{p['p50_ms'] - d['p50_ms']:.3f} ms, p99 {p['p99_ms'] - d['p99_ms']:.3f} ms; "
                  f"gateway p50 is {p['p50_ms'] / g['p50_ms']:.1f}x faster than mcp-proxy's")
        print(f"throughput: {args.connections} connections for {args.seconds:g} s, {args.runs} runs")
        for r in range(args.runs):
            g = run(client, "throughput", targets["gateway"][0], "echo__echo", args.connections, args.seconds)
            made += int(g["calls"])
            p = run(client, "throughput", targets["mcp-proxy"][0], "echo", args.connections, args.seconds)
            print(f"  run {r + 1}: gateway {g['per_second']:.0f} calls/s (goal >= 5000), "
                  f"mcp-proxy {p['per_second']:.0f} calls/s, ratio {g['per_second'] / p['per_second']:.1f}x")
    finally:
        proxy_proc.terminate()
        proxy_proc.wait()
        subprocess.run([binary, "daemon", "stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    executions = sqlite3.connect(home / "data/executions.db").execute("SELECT count(*) FROM executions").fetchone()[0]
    audit = home / "data/audit.db"
    events = sqlite3.connect(audit).execute(
        "SELECT count(*) FROM audit_events WHERE resource = 'echo/echo'").fetchone()[0]
    print(f"recorded: {made} calls made through the gateway; {executions} executions and {events} "
          f"tool.call audit events stored after the daemon stopped")
    shutil.rmtree(work, ignore_errors=True)


main()

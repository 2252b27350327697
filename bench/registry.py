#!/usr/bin/env python3
"""Benchmark the MCP registry, all in one run; prints figures and ratios, asserts nothing.

1. Static validation of 10,000 manifests (the fixture corpus's valid files in all three
   formats, renamed) by one `pc-hybrid mcp validate` run, against the anchor of Python merely
   parsing the same files (json / PyYAML's C loader).
2. Live validation overhead: `pc-hybrid mcp validate --live` on a stdio server built on the
   official MCP SDK, against a bare Python client (subprocess + json, no SDK import) doing
   the same handshake (initialize, notifications/initialized, tools/list) with the same
   server, against the SDK's own client, and against the MCP Inspector CLI (npm
   @modelcontextprotocol/inspector, installed into bench/.inspector when npm is there). The difference to the bare client is what
   pc-hybrid adds beyond the server's own start time.
3. Hostile files (alias bomb, deep nesting, 100 MB, binary junk): time to the error.
4. The server.json corpus alone (every server.json variant of the fixtures: packages of every
   registry type, remotes with variables, embedded servers, the 2025-07-09 field names),
   replicated to --files documents; the goal is 20,000 files per second.
5. Live validation of the reference server @modelcontextprotocol/server-everything from its
   server.json (an npm package, which the first check installs under the data directory's
   cache and later checks start from there, as npx would), the second time onwards, against
   the same server installed locally (tests/tools, run with `node`); the goal is within 2x.

Usage: bench/registry.py [--files N] [--runs N] [--only static,live,hostile,server-json,npx]   (builds the release binary; needs .venv)
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures/registry/valid"
PYTHON = Path(os.environ.get("PC_HYBRID_TEST_PYTHON", ROOT / ".venv/bin/python"))


def make_corpus(dest: Path, n: int, server_json_only: bool = False) -> list[Path]:
    import yaml

    bases = []
    dirs = [FIXTURES, FIXTURES.parent / "warn"] if server_json_only else [FIXTURES]
    names = sorted(f for d in dirs for f in d.iterdir())
    if server_json_only:
        names = [f for f in names if f.name.startswith("server")]
    for f in names:
        text = f.read_text()
        doc = json.loads(text) if f.suffix == ".json" else yaml.safe_load(text)
        bases.append((f.suffix, doc))
    files = []
    for i in range(n):
        suffix, doc = bases[i % len(bases)]
        doc = json.loads(json.dumps(doc))
        if "mcp_spec" in doc:
            doc["mcp_spec"]["name"] = f"server-{i}"
        elif "metadata" in doc:
            doc["metadata"]["name"] = f"server-{i}"
        else:
            doc["name"] = f"io.github.bench/server-{i}"
        p = dest / f"m{i:05d}{suffix}"
        p.write_text(json.dumps(doc, indent=2) if suffix == ".json" else yaml.safe_dump(doc, sort_keys=False))
        files.append(p)
    return files


PARSE_ANCHOR = r"""
import json, sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for p in sys.argv[1:]:
    with open(p, "rb") as f:
        data = f.read()
    json.loads(data) if p.endswith(".json") else yaml.load(data, Loader=loader)
"""

BARE_CLIENT = r"""
import json, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
def call(i, method, params):
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n")
    p.stdin.flush()
    while True:
        msg = json.loads(p.stdout.readline())
        if msg.get("id") == i:
            return msg
init = call(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bare", "version": "0"}})
p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized", "params": {}}) + "\n")
p.stdin.flush()
tools = call(2, "tools/list", {})["result"]["tools"]
assert [t["name"] for t in tools] == ["forecast"], tools
p.kill()
p.wait()
"""

SDK_CLIENT = r"""
import asyncio, sys
from mcp import Client, StdioServerParameters

import release  # bench/release.py
async def main():
    async with Client(StdioServerParameters(command=sys.argv[1], args=sys.argv[2:])) as c:
        tools = (await c.list_tools()).tools
        assert [t.name for t in tools] == ["forecast"]
asyncio.run(main())
"""


LAST_STDOUT = b""


def timed(cmd, env=None, ok=(0,), keep=False):
    global LAST_STDOUT
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE if keep else subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t) * 1000
    if r.returncode not in ok:
        sys.exit(f"{cmd[:4]}... exited {r.returncode}: {r.stderr.decode()[-2000:]}")
    LAST_STDOUT = r.stdout or b""
    return ms


def inspector() -> Path | None:
    """The MCP Inspector CLI from npm, installed once into bench/.inspector."""
    prefix = ROOT / "bench/.inspector"
    exe = prefix / "node_modules/.bin/mcp-inspector"
    if not exe.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), "@modelcontextprotocol/inspector@2"],
            check=False,
        )
    return exe if exe.exists() else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--only", default="static,live,hostile,server-json,npx",
                    help="comma-separated sections to run (default: all)")
    args = ap.parse_args()
    want = set(args.only.split(",")).__contains__
    exe = Path(release.binary())
    work = Path(tempfile.mkdtemp(prefix="pc-hybrid-bench-"))
    env = {
        "PATH": f"{PYTHON.parent}:{os.environ['PATH']}",
        "PROMPTCRAFT_HOME": str(work / "home"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
    }
    try:
        if want("static"):
            corpus = work / "corpus"
            corpus.mkdir()
            files = [str(f) for f in make_corpus(corpus, args.files)]
            n = len(files)
            print(f"static validation of {n} files (3 formats, JSON and YAML), best of 3:")
            ours = min(timed([str(exe), "mcp", "validate", "-o", "json", *files], env) for _ in range(3))
            anchor = min(timed([str(PYTHON), "-c", PARSE_ANCHOR, *files]) for _ in range(3))
            print(f"  pc-hybrid mcp validate: {ours:8.1f} ms  = {n / ours * 1000:9.0f} validations/s (process start and JSON output included)")
            print(f"  anchor, Python parse only: {anchor:5.1f} ms  = {n / anchor * 1000:9.0f} files/s")
            print(f"  ratio: pc-hybrid validates {anchor / ours:.2f}x as fast as Python parses (goal: >= 20,000 validations/s)")

        if want("live"):
            print(f"\nlive validation of a stdio server on the MCP SDK, median of {args.runs}:")
            server = [str(PYTHON), str(ROOT / "tests/support/servers/sdk_server.py")]
            manifest = work / "live.yaml"
            manifest.write_text(
                "apiVersion: mcp.promptcraft.io/v1\nkind: MCPServer\nmetadata: {name: weather, version: 1.0.0}\n"
                f"spec:\n  command: {json.dumps(server)}\n  capabilities:\n"
                "    - {name: forecast, endpoint: /tools/forecast, method: POST,"
                " parameters: {type: object, properties: {city: {type: string}}, required: [city]}}\n"
            )
            insp = inspector()
            ours_l, bare_l, sdk_l, insp_l, own_l = [], [], [], [], []
            for _ in range(args.runs):
                ours_l.append(timed([str(exe), "mcp", "validate", "--live", "-o", "json", str(manifest)], env, keep=True))
                t = json.loads(LAST_STDOUT)[0]["live"]["timings"]
                # What pc-hybrid spends beyond waiting for the server to start and answer.
                own_l.append(ours_l[-1] - t["initialize_ms"])
                bare_l.append(timed([str(PYTHON), "-c", BARE_CLIENT, *server]))
                sdk_l.append(timed([str(PYTHON), "-c", SDK_CLIENT, *server]))
                if insp:
                    insp_l.append(timed([str(insp), "--cli", *server, "--method", "tools/list"]))
            o, b, s, own = (statistics.median(x) for x in (ours_l, bare_l, sdk_l, own_l))
            print(f"  pc-hybrid mcp validate --live: {o:7.1f} ms (of which {own:.1f} ms is not the server starting and answering initialize)")
            print(f"  bare Python client (same handshake): {b:7.1f} ms  <- the server's own start time plus a minimal client")
            print(f"  MCP SDK Python client: {s:7.1f} ms")
            if insp_l:
                i = statistics.median(insp_l)
                print(f"  MCP Inspector CLI (tools/list): {i:7.1f} ms  -> pc-hybrid is {i / o:.2f}x as fast")
            else:
                print("  MCP Inspector CLI: not available (no npm)")
            print(f"  overhead of pc-hybrid beyond the bare client: {o - b:+.1f} ms (goal: < 50 ms); {s / o:.2f}x faster than the SDK client")

        if want("hostile"):
            print("\nhostile files, time to the error (one run each):")
            bomb = "a: &a [" + ",".join(['"lol"'] * 9) + "]\n"
            for i in range(1, 9):
                p, c = chr(ord("a") + i - 1), chr(ord("a") + i)
                bomb += f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n"
            cases = {"alias bomb": bomb.encode(), "100,000 nested lists": b"[" * 100_000, "binary junk": bytes((i * 7919) % 251 for i in range(1 << 20))}
            for label, data in cases.items():
                p = work / "hostile"
                p.write_bytes(data)
                print(f"  {label:22}: {timed([str(exe), 'mcp', 'validate', str(p)], env, ok=(2,)):6.1f} ms")
            huge = work / "huge.json"
            with open(huge, "wb") as f:
                f.truncate(100 * 1024 * 1024)
            print(f"  {'100 MB file':22}: {timed([str(exe), 'mcp', 'validate', str(huge)], env, ok=(2,)):6.1f} ms")
        if want("server-json"):
            sj = work / "server-json"
            sj.mkdir()
            files = [str(f) for f in make_corpus(sj, args.files, server_json_only=True)]
            n = len(files)
            print(f"\nstatic validation of the server.json corpus, {n} files, best of 3:")
            ours = min(timed([str(exe), "mcp", "validate", "-o", "json", *files], env) for _ in range(3))
            anchor = min(timed([str(PYTHON), "-c", PARSE_ANCHOR, *files]) for _ in range(3))
            print(f"  pc-hybrid mcp validate: {ours:8.1f} ms  = {n / ours * 1000:9.0f} files/s (goal: > 20,000 files/s)")
            print(f"  anchor, Python parse only: {anchor:5.1f} ms  = {n / anchor * 1000:9.0f} files/s")

        if want("npx"):
            tools = Path(os.environ.get("PC_HYBRID_TEST_TOOLS", ROOT / ".test-tools"))
            local = tools / "node_modules/@modelcontextprotocol/server-everything/dist/index.js"
            if not local.exists():
                print("\nlive validation of an npx server: skipped (run scripts/test.sh once to install tests/tools)")
                return
            version = json.loads((tools / "package.json").read_text())["dependencies"]["@modelcontextprotocol/server-everything"]
            via_npx = work / "everything.json"
            via_npx.write_text(json.dumps({
                "name": "io.github.modelcontextprotocol/server-everything", "description": "reference server",
                "version": version,
                "packages": [{"registryType": "npm", "identifier": "@modelcontextprotocol/server-everything", "version": version,
                              "transport": {"type": "stdio"}, "packageArguments": [{"type": "positional", "value": "stdio"}]}],
            }))
            installed = work / "everything-local.yaml"
            installed.write_text(
                "apiVersion: mcp.promptcraft.io/v1\nkind: MCPServer\nmetadata: {name: everything, version: 1.0.0}\n"
                f"spec:\n  command: {json.dumps(['node', str(local), 'stdio'])}\n  capabilities: []\n"
            )
            lenv = dict(env)
            for k in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy"):
                if k in os.environ:
                    lenv[k] = os.environ[k]
            first = timed([str(exe), "mcp", "validate", "--live", "--timeout", "300", str(via_npx)], lenv)
            npx_l, local_l = [], []
            for _ in range(args.runs):
                npx_l.append(timed([str(exe), "mcp", "validate", "--live", str(via_npx)], lenv))
                local_l.append(timed([str(exe), "mcp", "validate", "--live", str(installed)], lenv))
            a, b = statistics.median(npx_l), statistics.median(local_l)
            print(f"\nlive validation of server-everything {version}, median of {args.runs}:")
            print(f"  from server.json, first run (npm install):          {first:7.1f} ms")
            print(f"  from server.json, installed under the cache:         {a:7.1f} ms")
            print(f"  anchor, installed locally, run with node:            {b:7.1f} ms")
            print(f"  ratio: {a / b:.2f}x the locally installed server (goal: within 2x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

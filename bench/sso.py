#!/usr/bin/env python3
"""Benchmark commands of a logged-in user, end to end (spawning the CLI each time), in one run:

  whoami        `whoami` through the daemon that holds the session (token_storage: daemon)
  read          `list-agents` through that daemon with SSO required (ENTERPRISE_MODE=true):
                the session is resolved, the roles checked, the read made and audited
  anchors       spawning `true`; `pc-hybrid --version`; `whoami` in-process with the tokens in
                a file (the access token verified against the cached key set)

The provider is the test OpenID provider (tests/oidc/provider.mjs); the login is a real device
flow completed by tests/oidc/browser.py. Goal: whoami and the read under 5 ms (medians).
Prints figures and ratios; asserts nothing.

Usage: bench/sso.py [--runs N] [--binary PATH]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import idp  # bench/idp.py
import release  # bench/release.py
from daemon import timed  # bench/daemon.py

ROOT = Path(__file__).resolve().parent.parent


def login(binary, env, user="alice"):
    p = subprocess.Popen([binary, "login", "--device"], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        m = re.search(r"http://\S+user_code=\S+", line)
        if m:
            subprocess.run([sys.executable, str(ROOT / "tests/oidc/browser.py"), m.group(0), "--user", user],
                           check=True, stdout=subprocess.DEVNULL)
            break
    if p.wait() != 0:
        raise SystemExit("the login failed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--binary")
    args = ap.parse_args()
    binary = release.binary(args.binary)
    work = Path(tempfile.mkdtemp(prefix="pc-bench-sso-"))
    proc, issuer = idp.start(work)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("AGENT_FACTORY_", "ANALYTICS_", "AUDIT_", "PC_HYBRID_", "OIDC_", "KEYCLOAK_"))}
    base.update({"OIDC_ISSUER_URL": issuer, "KEYCLOAK_CLIENT_ID": "pc-hybrid-cli",
                 "OIDC_AUDIENCE": "promptcraft-app", "ENTERPRISE_MODE": "true"})
    served = {**base, "PROMPTCRAFT_HOME": str(work / "served"), "PC_HYBRID_TOKEN_STORAGE": "daemon",
              "PC_HYBRID_DAEMON": "always"}
    local = {**base, "PROMPTCRAFT_HOME": str(work / "local"), "PC_HYBRID_TOKEN_STORAGE": "file",
             "PC_HYBRID_DAEMON": "never"}
    med = statistics.median
    try:
        subprocess.run([binary, "daemon", "start", "-q"], check=True, env=served, stdout=subprocess.DEVNULL)
        login(binary, served)
        login(binary, local)
        for e in (served, local):
            subprocess.run([binary, "whoami"], check=True, env=e, stdout=subprocess.DEVNULL)
        n = args.runs
        true = med([timed([shutil.which("true"), "x"], base) for _ in range(n)])
        version = med([timed([binary, "--version"], base) for _ in range(n)])
        local_who = med([timed([binary, "whoami"], local) for _ in range(n)])
        who = med([timed([binary, "whoami"], served) for _ in range(n)])
        read = med([timed([binary, "list-agents"], served) for _ in range(n)])
        print(f"anchors: spawning `true` {true:.2f} ms, `--version` {version:.2f} ms, "
              f"whoami in-process (file) {local_who:.2f} ms")
        print(f"whoami through the daemon: median {who:.2f} ms   (goal < 5 ms; "
              f"{local_who / who:.2f}x the in-process whoami)")
        print(f"authorised read (list-agents, SSO required) through the daemon: median {read:.2f} ms   (goal < 5 ms)")
    finally:
        subprocess.run([binary, "daemon", "stop", "-q"], env=served)
        proc.terminate()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark JWT verification with cached keys, in one run:

  pc-hybrid   the library's verification (examples/jwt_verify.rs, release build) of the
              provider's tokens, the key set parsed once, on one thread
  anchor      PyJWT (jwt.decode with the same key, algorithm, issuer and audience checks)
              of the same tokens, on one thread

The tokens are real: access tokens the test OpenID provider (tests/oidc/provider.mjs,
npm oidc-provider, RS256 with a 2048-bit key) issues by the client credentials grant.
Goal: at least 50,000 verifications per second. Prints figures and the ratio; asserts nothing.

Usage: bench/jwt_verify.py [--seconds 3] [--tokens 64] [--runs 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import idp  # bench/idp.py
import release  # bench/release.py

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import jwt  # PyJWT, with `cryptography` (tests/requirements.txt)

    exe = release.built("jwt_verify", "--example", "jwt_verify")
    work = Path(tempfile.mkdtemp(prefix="pc-bench-jwt-"))
    proc, issuer = idp.start(work)
    try:
        token_url = f"{issuer}/protocol/openid-connect/token"
        req = lambda: urllib.request.Request(token_url, data=urllib.parse.urlencode(
            {"grant_type": "client_credentials"}).encode(), headers={
            "Authorization": "Basic " + __import__("base64").b64encode(b"promptcraft-app:app-secret-for-tests-only").decode()})
        tokens = [json.load(urllib.request.urlopen(req()))["access_token"] for _ in range(args.tokens)]
        jwks = json.load(urllib.request.urlopen(f"{issuer}/protocol/openid-connect/certs"))
        (work / "jwks.json").write_text(json.dumps(jwks))
        (work / "tokens.txt").write_text("\n".join(tokens) + "\n")
        key = jwt.PyJWK(jwks["keys"][0]).key
        print(f"{len(tokens)} RS256 access tokens of {len(tokens[0])} bytes from {issuer}")
        for run in range(args.runs):
            r = json.loads(subprocess.run([exe, str(work / "jwks.json"), str(work / "tokens.txt"), issuer,
                                           "promptcraft-app", str(args.seconds)], check=True,
                                          capture_output=True, text=True).stdout)
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < args.seconds:
                for tok in tokens:
                    jwt.decode(tok, key=key, algorithms=["RS256"], audience="promptcraft-app", issuer=issuer,
                               options={"require": ["exp", "iss", "aud"]})
                n += len(tokens)
            py = n / (time.perf_counter() - t0)
            print(f"run {run + 1}: pc-hybrid {r['per_second']:,.0f}/s   PyJWT {py:,.0f}/s   "
                  f"ratio {r['per_second'] / py:.2f}x   (goal >= 50,000/s on one core)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())

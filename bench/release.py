"""The release binary the benchmarks time: `cargo build --release`, and the path cargo reports
for it (the folder depends on the build target, see .cargo/config.toml)."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def binary(given=None):
    """`given` when a benchmark was pointed at a binary, else the freshly built one."""
    if given:
        return str(Path(given).resolve())
    out = subprocess.run(["cargo", "build", "--release", "--message-format=json-render-diagnostics"],
                         cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "pc-hybrid" and msg.get("executable"):
            return msg["executable"]
    raise SystemExit("cargo built no pc-hybrid executable")

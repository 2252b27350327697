"""The release binary the benchmarks time: `cargo build --release`, and the path cargo reports
for it (the folder depends on the build target, see .cargo/config.toml)."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def built(name, *extra):
    """The executable `name` of `cargo build --release` (with `extra` arguments, such as
    `--example NAME`), at the path cargo reports for it."""
    out = subprocess.run(["cargo", "build", "--release", *extra, "--message-format=json-render-diagnostics"],
                         cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == name and msg.get("executable"):
            return msg["executable"]
    raise SystemExit(f"cargo built no {name} executable")


def binary(given=None):
    """`given` when a benchmark was pointed at a binary, else the freshly built one."""
    if given:
        return str(Path(given).resolve())
    return built("pc-hybrid")

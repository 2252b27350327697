#!/usr/bin/env python3
"""Benchmark `pc-hybrid create-agent` (render + git commit + register; no push, no deploy)
against copier rendering the same file tree, and `pc-hybrid --version` against spawning
`true`, all in one run. Prints medians and ratios; asserts nothing.

Usage: bench/create_agent.py [--runs N]   (run from anywhere; builds the release binary)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import release  # bench/release.py

ROOT = Path(__file__).resolve().parent.parent
NAME = "tax_advisor"
DESCRIPTION = "Answers tax questions"


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


DEVNULL = os.open(os.devnull, os.O_WRONLY)


def timed(cmd, env=None):
    """Milliseconds from spawning `cmd` to its exit, as a shell would run it: posix_spawn and
    wait, without subprocess's pipes and bookkeeping (which add about 0.7 ms here)."""
    acts = [(os.POSIX_SPAWN_DUP2, DEVNULL, 1), (os.POSIX_SPAWN_DUP2, DEVNULL, 2)]
    program = shutil.which(cmd[0]) or cmd[0]
    t = time.perf_counter()
    pid = os.posix_spawn(program, cmd, env if env is not None else os.environ, file_actions=acts)
    _, status = os.waitpid(pid, 0)
    ms = (time.perf_counter() - t) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return ms


def copier_template(project: Path, dest: Path) -> None:
    """The generated project as a copier template: every text file a .jinja template with
    the agent's name, domain and description as variables."""
    dest.mkdir()
    (dest / "copier.yml").write_text(
        "name:\n  type: str\ndomain:\n  type: str\ndescription:\n  type: str\n_templates_suffix: .jinja\n"
    )
    for f in sorted(project.rglob("*")):
        if ".git" in f.relative_to(project).parts or not f.is_file():
            continue
        rel = f.relative_to(project).as_posix().replace(NAME, "{{ name }}")
        text = f.read_text(encoding="utf-8")
        parts = []
        for i, chunk in enumerate(text.split(NAME)):
            if i:
                parts.append("{{ name }}")
            parts.append("{% raw %}" + chunk + "{% endraw %}" if chunk else "")
        target = dest / (rel + ".jinja")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(parts), encoding="utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--binary", help="time this pc-hybrid instead of the release build")
    args = ap.parse_args()

    binary = Path(release.binary(args.binary))
    venv = ROOT / "bench/.venv"
    if not (venv / "bin/copier").exists():
        sh(sys.executable, "-m", "venv", str(venv))
        sh(str(venv / "bin/pip"), "install", "--quiet", "copier")
    copier = venv / "bin/copier"

    work = Path(tempfile.mkdtemp(prefix="pc-bench-"))
    try:
        env = {**os.environ, "PROMPTCRAFT_HOME": str(work / "home"), "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
        for k in ("AGENT_FACTORY_GIT_BASE_URL", "ANALYTICS_DB_URL", "AGENT_FACTORY_OUTPUT_DIR"):
            env.pop(k, None)
        # One project to derive the copier template from; also warms the store.
        sh(str(binary), "create-agent", "-q", "--name", NAME, "--domain", "finance", "--description", DESCRIPTION,
           "--output-dir", str(work / "seed"), env=env, stdout=subprocess.DEVNULL)
        copier_template(work / "seed" / NAME, work / "copier-template")
        files = sum(1 for p in (work / "seed" / NAME).rglob("*") if p.is_file() and ".git" not in p.parts)

        ours, theirs, version, anchor = [], [], [], []
        for i in range(args.runs):
            out = work / f"ours-{i}"
            ours.append(timed([str(binary), "create-agent", "-q", "--name", f"agent_{i}", "--domain", "finance",
                               "--description", DESCRIPTION, "--output-dir", str(out)], env=env))
            theirs.append(timed([str(copier), "copy", "--quiet", "--defaults", "--data", f"name=agent_{i}",
                                 "--data", "domain=finance", "--data", f"description={DESCRIPTION}",
                                 str(work / "copier-template"), str(work / f"copier-{i}")], env=env))
            version.append(timed([str(binary), "--version"]))
            anchor.append(timed(["true"]))

        med = statistics.median
        print(f"files per project: {files}, runs: {args.runs}")
        print(f"pc-hybrid create-agent (render+commit+register): median {med(ours):8.2f} ms  p90 {sorted(ours)[int(len(ours)*0.9)-1]:8.2f} ms")
        print(f"copier copy (render only, same tree):             median {med(theirs):8.2f} ms")
        print(f"ratio copier / pc-hybrid: {med(theirs)/med(ours):.1f}x   (goal: >= 25x, and < 20 ms median)")
        print(f"pc-hybrid --version: median {med(version):.2f} ms; spawning `true`: median {med(anchor):.2f} ms; "
              f"ratio {med(version)/med(anchor):.2f}x   (goal: < 2 ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

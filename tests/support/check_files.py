"""Check that every file of a generated agent project is valid for its language, and that the
user's text survives exactly where it is quoted. Usage: check_files.py PROJECT EXPECTED.json"""

import ast
import json
import sys
import tomllib
from pathlib import Path

import yaml

root = Path(sys.argv[1])
expected = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
desc = expected["description"]
problems = []

for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts):
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".py":
            ast.parse(text, filename=rel)
        elif path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".md" and text.startswith("---\n"):
            yaml.safe_load(text[4 : text.index("\n---", 3)])
    except Exception as e:  # noqa: BLE001 - report any parse failure
        problems.append(f"{rel}: {e}")

# Values quoted into each language come back exactly.
ns = {}
exec(compile((root / "src" / expected["name"] / "spec.py").read_text(encoding="utf-8"), "spec.py", "exec"), ns)
if ns["DESCRIPTION"] != desc:
    problems.append(f"spec.py DESCRIPTION differs: {ns['DESCRIPTION']!r}")
py = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
if py["project"]["description"] != expected["one_line"]:
    problems.append(f"pyproject description differs: {py['project']['description']!r}")
front = (root / "knowledge/documents/overview.md").read_text(encoding="utf-8")
meta = yaml.safe_load(front[4 : front.index("\n---", 3)])
if meta["summary"] != desc:
    problems.append(f"overview.md summary differs: {meta['summary']!r}")
caps = json.loads((root / "knowledge/documents/capabilities.json").read_text(encoding="utf-8"))
if not caps or not all(c["id"].startswith("capability-") for c in caps):
    problems.append("capabilities.json has no capability documents")

# The Dockerfile LABEL is one logical line whose words parse like a POSIX shell's.
docker = (root / "Dockerfile").read_text(encoding="utf-8")
label = docker[docker.index("LABEL ") + 6 :]
logical = []
for line in label.split("\n"):
    if line.endswith("\\"):
        logical.append(line[:-1])
    else:
        logical.append(line)
        break


def docker_words(text):
    """Split like Docker's lexer: in double quotes a backslash escapes only ", $ and itself."""
    words, cur, i, quoted = [], "", 0, False
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text) and text[i + 1] in '"$\\':
                cur += text[i + 1]
                i += 1
            elif c == '"':
                quoted = False
            else:
                cur += c
        elif c == '"':
            quoted = True
        elif c.isspace():
            if cur:
                words.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if quoted:
        raise ValueError("unterminated quote in LABEL")
    if cur:
        words.append(cur)
    return words


words = dict(w.split("=", 1) for w in docker_words(" ".join(logical)))
if words.get("org.opencontainers.image.description") != expected["one_line"]:
    problems.append(f"Dockerfile description label differs: {words.get('org.opencontainers.image.description')!r}")
for line in docker.splitlines():
    if line.strip() and not line.startswith((" ", "#", "ARG", "FROM", "LABEL", "ENV", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "CMD")):
        problems.append(f"Dockerfile: unexpected instruction line {line!r}")

# Markdown: the description cannot open a heading, raw HTML or a code fence.
readme = (root / "README.md").read_text(encoding="utf-8")
body = readme.split("\n", 2)[2].split("\nA PromptCraft-Hybrid agent")[0]
for line in body.splitlines():
    if line.startswith(("#", "<", "```", "    ", "- ", "* ", "> ")):
        problems.append(f"README.md: user text opened markdown structure: {line!r}")
if "<script" in readme or "<b>" in readme:
    problems.append("README.md: raw HTML from user text")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("ok")

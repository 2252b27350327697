#!/usr/bin/env bash
# The whole test suite. Creates .venv with the real MCP SDK and test tools from PyPI
# (tests/requirements.txt) when it is missing or incomplete, then runs every Rust test beside
# the real services scripts/with-services.sh starts (Docker Engine, image registry, a Python
# base image, a PostgreSQL cluster) and stops again by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! .venv/bin/python -c "import mcp, pytest, yaml, jsonschema, setuptools, kubernetes_validate" 2>/dev/null; then
    echo "setting up .venv from tests/requirements.txt" >&2
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r tests/requirements.txt
fi
export PC_HYBRID_TEST_PYTHON="$PWD/.venv/bin/python"

exec scripts/with-services.sh cargo test --all-targets "$@"

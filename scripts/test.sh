#!/usr/bin/env bash
# The whole test suite. Creates .venv with the real MCP SDK and test tools from PyPI
# (tests/requirements.txt) when it is missing or incomplete, then runs every Rust test beside
# the real services scripts/with-services.sh starts (Docker Engine, image registry, a Python
# base image, a PostgreSQL cluster) and stops again by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! .venv/bin/python -c "import mcp, pytest, yaml, jsonschema, setuptools, kubernetes_validate" 2>/dev/null \
    || [ ! -x .venv/bin/uvx ]; then
    echo "setting up .venv from tests/requirements.txt" >&2
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r tests/requirements.txt
fi
export PC_HYBRID_TEST_PYTHON="$PWD/.venv/bin/python"

# MCP servers and clients nobody here wrote (tests/tools): the reference servers from npm
# and PyPI and the MCP Inspector CLI, pinned, installed once into .test-tools/.
tools="$PWD/.test-tools"
if ! cmp -s tests/tools/package.json "$tools/package.json" || [ ! -d "$tools/node_modules" ]; then
    echo "installing tests/tools/package.json into .test-tools" >&2
    mkdir -p "$tools"
    cp tests/tools/package.json "$tools/package.json"
    npm install --silent --no-audit --no-fund --prefix "$tools" >&2
fi
if ! cmp -s tests/tools/requirements.txt "$tools/py/requirements.txt"; then
    echo "installing tests/tools/requirements.txt into .test-tools/py" >&2
    "$python" -m venv "$tools/py"
    "$tools/py/bin/python" -m pip install --quiet -r tests/tools/requirements.txt
    cp tests/tools/requirements.txt "$tools/py/requirements.txt"
fi
export PC_HYBRID_TEST_TOOLS="$tools"
# Live checks of npm and PyPI servers share one download cache across tests and runs.
export PC_HYBRID_CACHE_DIR="$tools/cache"

exec scripts/with-services.sh cargo test --all-targets "$@"

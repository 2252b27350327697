#!/usr/bin/env bash
# The whole test suite. Creates .venv with the real MCP SDK and test tools from PyPI
# (tests/requirements.txt) when it is missing or incomplete, starts a private Docker Engine
# (Debian's docker.io) unless PC_HYBRID_TEST_DOCKER_HOST names one, then runs every Rust
# test. Whatever it starts it stops again, by PID.
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

for tool in dockerd docker busybox; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: $tool not found: install Debian's docker.io and busybox-static (.ci/run does)" >&2
        exit 1
    fi
done
cleanup() { :; }
if [ -z "${PC_HYBRID_TEST_DOCKER_HOST:-}" ]; then
    dk=$(mktemp -d /tmp/pc-hybrid-docker.XXXXXX)
    dockerd --host "unix://$dk/docker.sock" --data-root "$dk/data" --exec-root "$dk/exec" \
        --pidfile "$dk/dockerd.pid" --iptables=false --bridge=none >"$dk/dockerd.log" 2>&1 &
    dockerd_pid=$!
    cleanup() {
        kill "$dockerd_pid" 2>/dev/null || true
        wait "$dockerd_pid" 2>/dev/null || true
        rm -rf "$dk" 2>/dev/null || true
    }
    trap cleanup EXIT
    export PC_HYBRID_TEST_DOCKER_HOST="unix://$dk/docker.sock"
    for _ in $(seq 200); do
        if DOCKER_HOST="$PC_HYBRID_TEST_DOCKER_HOST" docker version >/dev/null 2>&1; then break; fi
        if ! kill -0 "$dockerd_pid" 2>/dev/null; then
            echo "error: dockerd exited; its log:" >&2
            cat "$dk/dockerd.log" >&2
            exit 1
        fi
        sleep 0.1
    done
fi
cargo test --all-targets "$@"

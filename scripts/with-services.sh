#!/usr/bin/env bash
# Run a command beside the real services the tests and benchmarks use, started here and
# stopped by PID when it ends: a private Docker Engine (Debian's docker.io) unless
# PC_HYBRID_TEST_DOCKER_HOST names one, a Python base image made with debootstrap, and an
# image registry (Debian's docker-registry) on a free loopback port, and a throwaway
# PostgreSQL 15 cluster on a free loopback port. Exports PC_HYBRID_TEST_DOCKER_HOST,
# PC_HYBRID_TEST_BASE_IMAGE, PC_HYBRID_TEST_REGISTRY and PC_HYBRID_TEST_POSTGRES (a
# superuser URL; tests create their own databases in it).
# Usage: scripts/with-services.sh COMMAND [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bin/postgres" ]; then
    echo "error: PostgreSQL 15 not found in $pg_bin: install Debian's postgresql-15 (.ci/run does)" >&2
    exit 1
fi
for tool in dockerd docker busybox debootstrap docker-registry; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: $tool not found: install Debian's docker.io, busybox-static, debootstrap and docker-registry (.ci/run does)" >&2
        exit 1
    fi
done
pids=()
dirs=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    for d in "${dirs[@]}"; do
        # dockerd can leave its network namespace mounted under its exec root.
        awk -v d="$d" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null || true
        rm -rf "$d" 2>/dev/null || true
    done
}
trap cleanup EXIT
if [ -z "${PC_HYBRID_TEST_DOCKER_HOST:-}" ]; then
    dk=$(mktemp -d /tmp/pc-hybrid-docker.XXXXXX)
    dockerd --host "unix://$dk/docker.sock" --data-root "$dk/data" --exec-root "$dk/exec" \
        --pidfile "$dk/dockerd.pid" --iptables=false --bridge=none >"$dk/dockerd.log" 2>&1 &
    dockerd_pid=$!
    pids+=("$dockerd_pid")
    dirs+=("$dk")
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
export DOCKER_HOST="$PC_HYBRID_TEST_DOCKER_HOST"

# A Python base image made here (no public registry is reachable): Debian from its package
# mirror with debootstrap, a virtual environment at /opt/venv, and this machine's CA bundle
# so that pip inside image builds trusts what the host trusts. The root filesystem is kept
# in target/ between runs; it is rebuilt whenever it is missing.
export PC_HYBRID_TEST_BASE_IMAGE=pc-hybrid-test/python:3.11
if ! docker image inspect "$PC_HYBRID_TEST_BASE_IMAGE" >/dev/null 2>&1; then
    rootfs="$PWD/target/test-python-rootfs"
    if [ ! -x "$rootfs/opt/venv/bin/python" ]; then
        echo "building the Python base image with debootstrap (once)" >&2
        rm -rf "$rootfs"
        mkdir -p "$PWD/target"
        debootstrap --variant=minbase --include=python3,python3-venv bookworm "$rootfs" \
            http://deb.debian.org/debian >"$PWD/target/debootstrap.log" 2>&1 \
            || { tail -20 "$PWD/target/debootstrap.log" >&2; exit 1; }
        chroot "$rootfs" /usr/bin/python3 -m venv /opt/venv
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    fi
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        --change 'CMD ["python"]' - "$PC_HYBRID_TEST_BASE_IMAGE" >/dev/null
fi

# A real image registry (Debian's docker-registry) on a free loopback port.
reg=$(mktemp -d /tmp/pc-hybrid-registry.XXXXXX)
dirs+=("$reg")
reg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$reg" "$reg_port" >"$reg/config.yml"
docker-registry serve "$reg/config.yml" >"$reg/log" 2>&1 &
pids+=("$!")
export PC_HYBRID_TEST_REGISTRY="localhost:$reg_port"
for _ in $(seq 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$reg_port/v2/')" 2>/dev/null; then break; fi
    sleep 0.1
done

# A throwaway PostgreSQL cluster. PostgreSQL refuses to run as root, so under root it runs
# as Debian's postgres user (setpriv execs, so the PID is the postmaster's own).
pg=$(mktemp -d /tmp/pc-hybrid-postgres.XXXXXX)
dirs+=("$pg")
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pg"
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
(umask 077; printf '%s\n' "$pg_password" >"$pg/pwfile")
[ "$(id -u)" = 0 ] && chown postgres: "$pg/pwfile"
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg/data" -U pc_hybrid --pwfile="$pg/pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$pg/initdb.log" 2>&1 \
    || { cat "$pg/initdb.log" >&2; exit 1; }
rm -f "$pg/pwfile"
"${as_pg[@]}" "$pg_bin/postgres" -D "$pg/data" -h 127.0.0.1 -p "$pg_port" -k "$pg" \
    -c shared_buffers=256MB -c max_connections=200 >"$pg/log" 2>&1 &
pids+=("$!")
export PC_HYBRID_TEST_POSTGRES="postgresql://pc_hybrid:$pg_password@127.0.0.1:$pg_port/postgres"
for _ in $(seq 200); do
    if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then break; fi
    sleep 0.1
done
"$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" || { cat "$pg/log" >&2; exit 1; }

"$@"

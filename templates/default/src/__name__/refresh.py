"""Pull the knowledge sources declared in config/config.yaml into knowledge/pulled/, each at
most as often as its update_frequency allows (daily, weekly, monthly) unless --force."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .knowledge import KnowledgeError, load_schema, read_entries, validate
from .settings import agent_home, load_config, section

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=30)}
MAX_API_BYTES = 10 * 1024 * 1024
API_TIMEOUT = 30
DEFAULT_QUERY = "SELECT id, title, content FROM knowledge"
STATE_FILE = ".refresh-state.json"


class SourceError(Exception):
    """A source could not be pulled."""


def source_key(src: dict[str, Any]) -> str:
    raw = f"{src.get('type')}\0{src.get('source')}\0{src.get('query') or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _path(home: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else home / p


def pull_files(home: Path, src: dict[str, Any], suffix: str) -> list[dict[str, Any]]:
    root = _path(home, src["source"])
    if root.is_file():
        files = [root]
    elif root.is_dir():
        files = sorted(p for p in root.rglob(f"*{suffix}") if p.is_file())
    else:
        raise SourceError(f"{root}: no such file or folder")
    entries: list[dict[str, Any]] = []
    for f in files:
        try:
            entries.extend(read_entries(f, home))
        except KnowledgeError as e:
            raise SourceError(str(e)) from e
    return entries


def pull_api(src: dict[str, Any]) -> list[dict[str, Any]]:
    url = src["source"]
    req = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "promptcraft-agent-refresh"})
    try:
        with urllib.request.urlopen(req, timeout=API_TIMEOUT) as resp:
            body = resp.read(MAX_API_BYTES + 1)
    except OSError as e:
        raise SourceError(f"GET {url}: {e}") from e
    if len(body) > MAX_API_BYTES:
        raise SourceError(f"GET {url}: response larger than {MAX_API_BYTES} bytes")
    try:
        data = json.loads(body)
    except ValueError as e:
        raise SourceError(f"GET {url}: not JSON: {e}") from e
    if isinstance(data, dict):
        for key in ("items", "documents", "entries", "data"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            data = [data]
    if not isinstance(data, list):
        raise SourceError(f"GET {url}: expected a JSON list of entries")
    return data


def _rows_to_entries(columns: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    if "title" not in columns or "content" not in columns:
        raise SourceError(f"the query must return `title` and `content` columns (got {', '.join(columns)})")
    out = []
    for row in rows:
        e = {k: v for k, v in zip(columns, row) if v is not None}
        for list_col in ("capabilities", "keywords"):
            if isinstance(e.get(list_col), str):
                text = e[list_col].strip()
                e[list_col] = json.loads(text) if text.startswith("[") else [c.strip() for c in text.split(",") if c.strip()]
        if "id" in e:
            e["id"] = str(e["id"])
        out.append(e)
    return out


def pull_database(home: Path, src: dict[str, Any]) -> list[dict[str, Any]]:
    url = src["source"]
    query = src.get("query") or DEFAULT_QUERY
    if url.startswith("sqlite:"):
        rest = url[len("sqlite:") :]
        rest = rest[2:] if rest.startswith("//") else rest
        # sqlite:////abs and sqlite:///abs both mean /abs
        rest = "/" + rest.lstrip("/") if rest.startswith("/") else rest
        path = _path(home, rest).resolve()
        if not path.is_file():
            raise SourceError(f"{path}: no such SQLite database")
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                cur = conn.execute(query)
                cols = [c[0] for c in cur.description or []]
                return _rows_to_entries(cols, cur.fetchall())
            finally:
                conn.close()
        except sqlite3.Error as e:
            raise SourceError(f"{path}: {e}") from e
    if url.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # optional: pip install '<agent>[postgres]'
        except ImportError as e:
            raise SourceError("PostgreSQL sources need psycopg: pip install 'psycopg[binary]'") from e
        try:
            # The password comes from PGPASSWORD or ~/.pgpass, never from config.
            with psycopg.connect(url, connect_timeout=10) as conn, conn.cursor() as cur:
                cur.execute(query)
                cols = [c.name for c in cur.description or []]
                return _rows_to_entries(cols, cur.fetchall())
        except psycopg.Error as e:
            raise SourceError(f"PostgreSQL: {e}") from e
    raise SourceError(f"unsupported database URL {url!r}")


def normalise(entries: list[Any], src: dict[str, Any], key: str) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise SourceError(f"entry {i} is not an object")
        e = dict(e)
        e.setdefault("id", f"{key}-{i}")
        e["id"] = f"{key}-{e['id']}" if not str(e["id"]).startswith(key) else str(e["id"])
        e.setdefault("source", src["source"])
        out.append(e)
    return out


def _load_state(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def refresh(home: Path | None = None, force: bool = False, now: datetime | None = None) -> list[dict[str, Any]]:
    """Pull every due source; returns one report per source."""
    home = home or agent_home()
    cfg = load_config(home)
    k = section(cfg, "knowledge")
    schema = load_schema(home, cfg)
    pulled = home / k.get("pulled_dir", "knowledge/pulled")
    pulled.mkdir(parents=True, exist_ok=True)
    state_path = pulled / STATE_FILE
    state = _load_state(state_path)
    now = now or datetime.now(timezone.utc)
    reports = []
    for src in k.get("sources") or []:
        key = source_key(src)
        freq = src.get("update_frequency", "weekly")
        report = {"type": src.get("type"), "source": src.get("source"), "update_frequency": freq}
        last = state.get(key)
        if not force and last:
            due = datetime.fromisoformat(last) + PERIODS.get(freq, PERIODS["weekly"])
            if now < due:
                reports.append({**report, "status": "skipped", "message": f"next refresh due {due.isoformat()}"})
                continue
        try:
            kind = src.get("type")
            if kind == "markdown":
                entries = pull_files(home, src, ".md")
            elif kind == "json":
                entries = pull_files(home, src, ".json")
            elif kind == "api":
                entries = pull_api(src)
            elif kind == "database":
                entries = pull_database(home, src)
            else:
                raise SourceError(f"unknown source type {kind!r}")
            entries = normalise(entries, src, key)
            try:
                validate(entries, schema, f"{kind}:{src.get('source')}")
            except KnowledgeError as e:
                raise SourceError(str(e)) from e
        except SourceError as e:
            reports.append({**report, "status": "failed", "message": str(e)})
            continue
        _write_atomic(pulled / f"{key}.json", entries)
        state[key] = now.isoformat()
        _write_atomic(state_path, state)
        reports.append({**report, "status": "refreshed", "entries": len(entries)})
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pull this agent's knowledge sources into knowledge/pulled/.")
    parser.add_argument("--force", action="store_true", help="pull every source now, whatever its frequency")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args(argv)
    reports = refresh(force=args.force)
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        for r in reports:
            extra = f"{r['entries']} entries" if "entries" in r else r.get("message", "")
            print(f"{r['status']:<9} {r['type']}:{r['source']} ({r['update_frequency']}) {extra}")
        if not reports:
            print("no knowledge sources configured in config/config.yaml")
    return 1 if any(r["status"] == "failed" for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())

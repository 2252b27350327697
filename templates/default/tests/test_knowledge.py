"""The knowledge base: schema checks, BM25 ranking and every kind of source refresh."""

import json
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import PACKAGE, ROOT

import importlib

knowledge = importlib.import_module(f"{PACKAGE}.knowledge")
refresh = importlib.import_module(f"{PACKAGE}.refresh")
settings = importlib.import_module(f"{PACKAGE}.settings")


def test_seed_documents_match_the_schema():
    kb = knowledge.KnowledgeBase.load(ROOT, settings.load_config(ROOT))
    assert len(kb.documents) >= 2
    assert kb.passages


def test_bm25_ranks_the_matching_passage_first():
    kb = knowledge.KnowledgeBase(
        [
            {"id": "a", "title": "Gardening", "content": "Tomatoes need sun and water."},
            {"id": "b", "title": "Taxes", "content": "Capital gains tax applies when shares are sold at a profit."},
            {"id": "c", "title": "Mixed", "content": "Tax forms. Tomatoes. Sun."},
        ]
    )
    hits = kb.search("capital gains on shares", 2)
    assert hits[0]["id"] == "b"
    assert kb.search("zzzz-nothing") == []


def test_invalid_documents_are_rejected_with_their_file(tmp_path):
    home = agent_copy(tmp_path)
    (home / "knowledge/documents/bad.json").write_text(json.dumps({"id": "x", "title": "no content"}))
    with pytest.raises(knowledge.KnowledgeError, match="bad.json"):
        knowledge.KnowledgeBase.load(home, settings.load_config(home))


def agent_copy(tmp_path: Path, sources=None) -> Path:
    home = tmp_path / "agent"
    shutil.copytree(ROOT / "config", home / "config")
    shutil.copytree(ROOT / "knowledge", home / "knowledge", ignore=shutil.ignore_patterns("pulled"))
    if sources is not None:
        cfg = yaml.safe_load((home / "config/config.yaml").read_text())
        cfg["knowledge"]["sources"] = sources
        (home / "config/config.yaml").write_text(yaml.safe_dump(cfg))
    return home


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"items": [{"id": "remote-1", "title": "Remote", "content": "The zebra-crossing rule comes from the API."}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_refresh_pulls_every_source_kind_and_honours_frequency(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.md").write_text("---\ntitle: Notes\ncapabilities: []\n---\nThe quokka clause is in the markdown source.\n")
    (data / "entries.json").write_text(json.dumps([{"id": "j1", "title": "JSON", "content": "The narwhal ledger is in the JSON source."}]))
    db = data / "kb.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE docs (id TEXT, title TEXT, content TEXT, capabilities TEXT)")
        conn.execute("INSERT INTO docs VALUES ('d1', 'Row', 'The axolotl statute is in the database.', '')")
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        home = agent_copy(
            tmp_path,
            [
                {"type": "markdown", "source": str(data / "notes.md"), "update_frequency": "daily"},
                {"type": "json", "source": str(data / "entries.json"), "update_frequency": "weekly"},
                {"type": "api", "source": f"http://127.0.0.1:{httpd.server_port}/kb", "update_frequency": "daily"},
                {"type": "database", "source": f"sqlite:///{db}", "query": "SELECT id, title, content, capabilities FROM docs", "update_frequency": "monthly"},
            ],
        )
        t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
        reports = refresh.refresh(home, now=t0)
        assert [r["status"] for r in reports] == ["refreshed"] * 4, reports
        kb = knowledge.KnowledgeBase.load(home, settings.load_config(home))
        for word in ("quokka", "narwhal", "zebra", "axolotl"):
            assert kb.search(word), word

        later = refresh.refresh(home, now=t0 + timedelta(days=2))
        assert [r["status"] for r in later] == ["refreshed", "skipped", "refreshed", "skipped"]
        forced = refresh.refresh(home, force=True, now=t0 + timedelta(days=2))
        assert all(r["status"] == "refreshed" for r in forced)
    finally:
        httpd.shutdown()


def test_a_failing_source_is_reported_and_others_still_refresh(tmp_path):
    home = agent_copy(
        tmp_path,
        [
            {"type": "markdown", "source": "does/not/exist.md", "update_frequency": "daily"},
            {"type": "json", "source": "knowledge/documents/capabilities.json", "update_frequency": "daily"},
        ],
    )
    reports = refresh.refresh(home)
    assert reports[0]["status"] == "failed" and "no such file" in reports[0]["message"]
    assert reports[1]["status"] == "refreshed"

"""The agent's knowledge base: documents checked against knowledge/schema.json, split into
passages and ranked with BM25 (no model download, no network)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from .settings import section

# Letters and digits; underscores split words so `vat_returns` matches "vat returns".
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    "a an and are as at be but by for from has have in into is it its of on or that the their this to was were will with".split()
)
K1 = 1.5
B = 0.75


class KnowledgeError(Exception):
    """A knowledge document is unreadable or does not match the schema."""


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.casefold()) if t not in _STOP]


def load_schema(home: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    path = home / section(cfg, "knowledge").get("schema", "knowledge/schema.json")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def parse_markdown(path: Path, text: str, root: Path) -> dict[str, Any]:
    """A markdown file as an entry: optional YAML front matter, the body as content."""
    meta: dict[str, Any] = {}
    body = text
    if text.startswith("---\n") or text.startswith("---\r\n"):
        end = text.find("\n---", 3)
        if end != -1:
            try:
                meta = yaml.safe_load(text[4:end]) or {}
            except yaml.YAMLError as e:
                raise KnowledgeError(f"{path}: front matter: {e}") from e
            if not isinstance(meta, dict):
                raise KnowledgeError(f"{path}: front matter must be a mapping")
            body = text[end + 4 :].lstrip("\r\n")
    if "title" not in meta:
        heading = next((line[2:].strip() for line in body.splitlines() if line.startswith("# ")), None)
        meta["title"] = heading or path.stem
    meta.setdefault("id", re.sub(r"[^A-Za-z0-9._:-]", "-", path.stem) or "document")
    try:
        meta.setdefault("source", str(path.relative_to(root)))
    except ValueError:
        meta.setdefault("source", str(path))
    meta["content"] = body
    return meta


def read_entries(path: Path, root: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise KnowledgeError(f"{path}: {e}") from e
    if path.suffix == ".md":
        return [parse_markdown(path, text, root)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise KnowledgeError(f"{path}:{e.lineno}:{e.colno}: {e.msg}") from e
    entries = data if isinstance(data, list) else [data]
    for e in entries:
        if isinstance(e, dict):
            e.setdefault("source", str(path.relative_to(root)) if path.is_relative_to(root) else str(path))
    return entries


def validate(entries: list[Any], schema: dict[str, Any], where: str) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for i, entry in enumerate(entries):
        errors = sorted(validator.iter_errors(entry), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            pointer = "/".join(str(p) for p in e.path)
            raise KnowledgeError(f"{where}: entry {i} /{pointer}: {e.message}")


@dataclass
class Passage:
    doc_id: str
    title: str
    source: str
    text: str
    capabilities: tuple[str, ...]
    tf: Counter
    length: int


def split_passages(text: str, max_chars: int) -> list[str]:
    """Paragraphs, merged up to max_chars, so a hit shows enough context."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out: list[str] = []
    current = ""
    for p in paragraphs:
        if current and len(current) + len(p) + 2 > max_chars:
            out.append(current)
            current = p
        else:
            current = f"{current}\n\n{p}" if current else p
    if current:
        out.append(current)
    return out


class KnowledgeBase:
    def __init__(self, documents: Iterable[dict[str, Any]], passage_chars: int = 1200):
        self.documents = list(documents)
        self.passages: list[Passage] = []
        for d in self.documents:
            caps = tuple(d.get("capabilities") or ())
            title_tokens = tokenize(d["title"])
            for text in split_passages(d["content"], passage_chars):
                tokens = title_tokens + tokenize(text)
                self.passages.append(
                    Passage(d["id"], d["title"], d.get("source", ""), text, caps, Counter(tokens), len(tokens))
                )
        n = len(self.passages)
        self.avg_len = (sum(p.length for p in self.passages) / n) if n else 0.0
        df: Counter = Counter()
        for p in self.passages:
            df.update(p.tf.keys())
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    @classmethod
    def load(cls, home: Path, cfg: dict[str, Any]) -> "KnowledgeBase":
        k = section(cfg, "knowledge")
        schema = load_schema(home, cfg)
        docs: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for key in ("documents_dir", "pulled_dir"):
            folder = home / k.get(key, "knowledge/documents" if key == "documents_dir" else "knowledge/pulled")
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                if path.suffix not in (".md", ".json") or path.name.startswith("."):
                    continue
                entries = read_entries(path, home)
                validate(entries, schema, str(path))
                for e in entries:
                    if e["id"] in seen:
                        raise KnowledgeError(f"{path}: duplicate document id {e['id']!r} (also in {seen[e['id']]})")
                    seen[e["id"]] = str(path)
                    docs.append(e)
        return cls(docs, int(k.get("passage_chars", 1200)))

    def search(self, query: str, limit: int = 5, capability: str | None = None) -> list[dict[str, Any]]:
        terms = tokenize(query)
        scored = []
        for p in self.passages:
            if capability is not None and capability not in p.capabilities:
                continue
            score = 0.0
            for t in terms:
                f = p.tf.get(t)
                if f:
                    norm = f * (K1 + 1) / (f + K1 * (1 - B + B * p.length / (self.avg_len or 1)))
                    score += self.idf.get(t, 0.0) * norm
            if score > 0:
                scored.append((score, p))
        scored.sort(key=lambda sp: (-sp[0], sp[1].doc_id))
        return [
            {
                "id": p.doc_id,
                "title": p.title,
                "source": p.source,
                "passage": p.text,
                "score": round(s, 4),
                "capabilities": list(p.capabilities),
            }
            for s, p in scored[:limit]
        ]

"""Ingest with worker processes: the same store as one process, work split evenly, failures isolated."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from dateline.ingest import Processed, balanced_split, enrich_processed, extract_one, ingest, text_size
from dateline.models import Article, RawDocument
from dateline.registry import build_pipeline
from dateline.storage import SQLiteStore

from .conftest import EXAMPLES


def test_balanced_split_evens_the_load_and_keeps_order() -> None:
    sizes = [90, 10, 10, 10, 10, 10, 10, 10, 10, 10, 50, 40]
    parts = balanced_split(list(range(len(sizes))), 2, lambda i: sizes[i])
    assert sorted(i for part in parts for i in part) == list(range(len(sizes)))  # each item once
    assert all(part == sorted(part) for part in parts)  # batch order kept
    loads = [sum(sizes[i] for i in part) for part in parts]
    assert max(loads) - min(loads) <= 10  # every other item would give 190 vs 70
    evens = [sum(sizes[i] for i in range(len(sizes))[w::2]) for w in (0, 1)]
    assert max(loads) < max(evens)
    assert balanced_split([], 3, len) == [[], [], []]


def _articles(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT id, text, record FROM articles ORDER BY id").fetchall()
    out = {}
    for aid, text, record in rows:
        rec = json.loads(record)
        out[aid] = (text, rec.get("entities"), rec.get("quotes"), rec.get("events"), rec.get("places"))
    return out


def test_two_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    pages = sorted(str(p) for p in (EXAMPLES / "html").iterdir())
    results = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        store = SQLiteStore(db)
        summary = ingest(pages, store, build_pipeline(), workers=workers)
        store.close()
        assert not summary.failed and not summary.stage_failures and summary.stored == len(pages)
        results[workers] = _articles(db)
    assert len(results[1]) == len(pages)
    assert results[2] == results[1]


class _BreaksOn:
    """A pipeline whose batched pass breaks whenever one article is in the batch (as a library bug
    on one hostile text would)."""

    def __init__(self, bad: str) -> None:
        self.bad = bad
        self.stages = ["marks"]

    def run(self, articles: list[Article]) -> list[Article]:
        if any(a.text == self.bad for a in articles):
            raise RuntimeError("NLP pass broke")
        return [Article(id=a.id, text=a.text, title="enriched") for a in articles]


def test_an_article_that_breaks_enrichment_fails_alone() -> None:
    texts = ["First good article body.", "The hostile one.", "Second good article body."]
    raws = [RawDocument(source=f"s{i}", kind="text", content=t) for i, t in enumerate(texts)]
    results = [extract_one(r) for r in raws]
    assert all(r.article is not None for r in results)
    bad = next(r.article.text for r in results if r.article is not None and "hostile" in r.article.text)
    out: list[Processed] = enrich_processed(results, _BreaksOn(bad))  # type: ignore[arg-type]
    assert [p.outcome.source for p in out] == ["s0", "s1", "s2"]
    assert [p.outcome.status for p in out] == ["stored", "failed", "stored"]
    assert out[1].outcome.reason == "enrichment-error" and "NLP pass broke" in (out[1].outcome.detail or "")
    assert out[0].article is not None and out[0].article.title == "enriched"
    assert out[2].article is not None and out[2].article.title == "enriched"
    assert text_size(out[1]) == 0 and text_size(out[0]) > len(out[0].article.text)

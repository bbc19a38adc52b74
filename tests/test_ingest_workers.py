"""Ingest with worker processes: the same store and counts as one process, tasks that shrink toward a
batch's end, failures isolated."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import dateline.ingest as ingest_mod
from dateline.ingest import Ingestor, Processed, enrich_processed, extract_one, guided_tasks, ingest
from dateline.models import Article, RawDocument
from dateline.registry import build_pipeline
from dateline.sources import Limits, iter_inputs
from dateline.storage import MemoryStore, SQLiteStore

from .conftest import EXAMPLES


def test_guided_tasks_keep_order_and_shrink_toward_the_end() -> None:
    items = list(range(64))
    tasks = guided_tasks(items, 2)
    assert [i for task in tasks for i in task] == items  # every item once, in order
    sizes = [len(t) for t in tasks]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 16  # a quarter of the batch first
    assert sizes[-1] <= 2 and len(tasks) < len(items)  # small at the end, yet not one per item
    assert guided_tasks([], 2) == [] and guided_tasks([1], 4) == [[1]]


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


def _text_pages(tmp_path: Path, n: int) -> list[str]:
    paths = []
    for i in range(n):
        path = tmp_path / f"page{i:02d}.txt"
        path.write_text(f"Report number {i} from the coast.\n\nThe harbour authority counted {i * 7} ships today.\n")
        paths.append(str(path))
    return paths


def _run(items: list[Any], workers: int, batch_size: int) -> tuple[dict[str, Any], list[str]]:
    store = MemoryStore()
    summary = Ingestor(store, workers=workers, batch_size=batch_size).run(items)
    return summary.to_dict(), sorted(a.id for a in store.iter_articles())


def test_workers_keep_counts_when_a_source_repeats_in_the_next_batch(tmp_path: Path) -> None:
    docs = list(iter_inputs(_text_pages(tmp_path, 7), Limits()))
    items = [*docs[:3], docs[0], *docs[3:], docs[5]]  # repeats that land in the batch after theirs
    one, ids_one = _run(items, 1, 3)
    two, ids_two = _run(items, 2, 3)
    assert ids_two == ids_one and len(ids_one) == 7
    keys = ("read", "stored", "unchanged", "skipped", "failed")
    assert {k: two[k] for k in keys} == {k: one[k] for k in keys} == {
        "read": 9, "stored": 7, "unchanged": 2, "skipped": 0, "failed": 0}
    # a repeat of a document that was skipped (no article text) is unchanged the second time
    empty = RawDocument(source=str(tmp_path / "empty.html"), kind="html", content="<html><body></body></html>")
    items = [docs[0], empty, docs[1], empty]
    one, _ = _run(items, 1, 2)
    two, _ = _run(items, 2, 2)
    assert {k: two[k] for k in keys} == {k: one[k] for k in keys} == {
        "read": 4, "stored": 2, "unchanged": 1, "skipped": 1, "failed": 0}


def _breaking_task(raws: list[RawDocument]) -> list[Processed]:
    """A worker task that breaks (as a result that cannot be sent back would) when it holds page 3."""
    if any(r.source.endswith("page03.txt") for r in raws):
        raise RuntimeError("task broke")
    return ingest_mod.process_documents(raws)


def test_a_broken_worker_task_is_redone_in_the_main_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = list(iter_inputs(_text_pages(tmp_path, 8), Limits()))
    monkeypatch.setattr(ingest_mod, "process_task", _breaking_task)
    summary, ids = _run(docs, 2, 8)
    assert summary["stored"] == 8 and summary["failed"] == 0 and len(ids) == 8


def _stuck_task(raws: list[RawDocument]) -> list[Processed]:
    """A worker task that never comes back in time (as one whose worker was killed)."""
    import time

    if any(r.source.endswith("page03.txt") for r in raws):
        time.sleep(3)
    return ingest_mod.process_documents(raws)


def test_a_task_that_never_returns_is_redone_in_the_main_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = list(iter_inputs(_text_pages(tmp_path, 8), Limits()))
    monkeypatch.setattr(ingest_mod, "process_task", _stuck_task)
    monkeypatch.setattr(ingest_mod, "TASK_TIMEOUT", 0.5)
    summary, ids = _run(docs, 2, 8)
    assert summary["stored"] == 8 and summary["failed"] == 0 and len(ids) == 8

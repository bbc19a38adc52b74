"""The Store contract: every backend behaves like the memory reference."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from dateline.errors import StoreError
from dateline.models import Article, Dates, Series, article_id
from dateline.storage import SearchQuery, SourceOutcome, SQLiteStore, Store, open_store


def make(
    text: str, url: str, outlet: str = "Example", published: str | None = None, title: str | None = None
) -> Article:
    return Article(
        id=article_id(url, text), text=text, url=url, source=f"test:{url}", outlet=outlet, title=title,
        dates=Dates(published=published), series=Series("A series", 3), tags=("a", "b"),
    )


A = make(
    "Russian aircraft carried out strikes near Hama and Homs on Wednesday.",
    "http://a/1", "Sputnik", "2015-10-02", "Strikes",
)
B = make("The ministry said the strikes hit an arms depot in Idlib.", "http://b/2", "Reuters", "2015-10-05")
C = make("Nadal kept Spain's hopes alive in Madrid.", "http://c/3", "AP", "2019-11-20", "Davis Cup")


def test_upsert_is_idempotent_and_round_trips(store: Store) -> None:
    outcomes = [SourceOutcome("s1", "f1", "stored", A.id), SourceOutcome("s2", "f2", "stored", B.id)]
    r1 = store.write_batch([A, B], outcomes)
    assert (r1.inserted, r1.unchanged) == (2, 0)
    r2 = store.write_batch([A, B, C], [])
    assert (r2.inserted, r2.unchanged) == (1, 2)
    assert store.get(A.id) == A
    assert store.get(C.id[:8]) == C
    assert store.get("nonexistent") is None
    assert [a.id for a in store.iter_articles(batch_size=2)] == sorted([A.id, B.id, C.id])
    assert store.stats()["articles"] == 3


def test_search_ranks_filters_and_snippets(store: Store) -> None:
    store.write_batch([A, B, C], [])
    hits = store.search(SearchQuery("strikes"))
    assert {h.id for h in hits} == {A.id, B.id}
    assert all("strike" in h.snippet.lower() for h in hits)
    assert [h.id for h in store.search(SearchQuery("strikes", outlet="reuters"))] == [B.id]
    assert [h.id for h in store.search(SearchQuery("strikes", since="2015-10-03"))] == [B.id]
    assert [h.id for h in store.search(SearchQuery("strikes", until="2015-10-03"))] == [A.id]
    assert store.search(SearchQuery("strikes Nadal")) == []
    assert store.search(SearchQuery("zebra")) == []


def test_search_filters_by_entity_place_and_event_type(store: Store) -> None:
    ents = ({"start": 0, "end": 7, "text": "Russian", "label": "NORP", "canonical": "Russia", "kind": "country"},)
    places = ({"start": 40, "end": 44, "text": "Hama", "name": "Hama", "country": "SY", "lat": 35.1, "lon": 36.7},)
    events = ({"type": "ASSAULT", "cameo": "195", "trigger": {"start": 17, "end": 28, "text": "carried out"},
               "actor": {"text": "Russian", "canonical": "Russia"}, "target": None, "places": []},)
    a = A.with_changes(entities=ents, places=places, events=events)
    b = B.with_changes(entities=({"start": 4, "end": 12, "text": "ministry", "canonical": "Ministry"},))
    store.write_batch([a, b, C], [])

    def ids(**filters: str) -> list[str]:
        return [h.id for h in store.search(SearchQuery("strikes", **filters))]  # type: ignore[arg-type]

    assert set(ids()) == {A.id, B.id}
    assert ids(entity="RUSSIA ") == [A.id] and ids(entity="ministry") == [B.id] and ids(entity="Spain") == []
    assert ids(place="hama") == [A.id] and ids(place="Russia") == []
    assert ids(event_type="assault") == [A.id] and ids(event_type="PROTEST") == []
    assert ids(entity="Russia", place="Hama", event_type="ASSAULT", outlet="sputnik") == [A.id]
    assert ids(entity="Russia", outlet="Reuters") == []
    assert all("strike" in h.snippet.lower() for h in store.search(SearchQuery("strikes", entity="russia")))


def test_sqlite_ranking_is_the_same_with_and_without_filters(tmp_path: Path) -> None:
    """The unfiltered search ranks inside FTS5 in one pass, a search with an annotation filter ranks in
    SQL after filtering: both order by bm25 with ties (exact copies) in insertion order, page by page."""
    store = SQLiteStore(tmp_path / "rank.db")
    event = {"type": "AGREE", "trigger": {"start": 0, "end": 3, "text": "The"}, "actor": None, "target": None}
    docs = []
    for i in range(45):
        text = "The strikes hit the depot." + " strikes" * (i % 4) + (" more words here" if i % 3 else "")
        url = f"http://x/{i}"
        docs.append(make(text, url, title="Strikes" if i % 5 == 0 else None).with_changes(
            id=article_id(url, text), events=(event,)))
    store.write_batch(docs, [])
    plain, filtered = [], []
    for page in range(3):
        plain += store.search(SearchQuery("strikes", limit=20, offset=20 * page))
        filtered += store.search(SearchQuery("strikes", limit=20, offset=20 * page, event_type="agree"))
    assert [(h.id, h.snippet) for h in plain] == [(h.id, h.snippet) for h in filtered]
    assert [h.score for h in plain] == pytest.approx([h.score for h in filtered])
    assert len({h.id for h in plain}) == 45
    assert [h.score for h in plain] == sorted((h.score for h in plain), reverse=True)
    rowid = {d.id: i for i, d in enumerate(docs)}
    for x, y in itertools.pairwise(plain):
        assert x.score > y.score or rowid[x.id] < rowid[y.id]  # ties: first stored first
    store.close()


@pytest.mark.parametrize("hostile", ['"', "AND OR NOT", "a* OR (", "'; DROP TABLE articles; --", "NEAR(x y", "^"])
def test_hostile_queries_never_break_the_store(store: Store, hostile: str) -> None:
    store.write_batch([A], [])
    assert isinstance(store.search(SearchQuery(hostile)), list)
    assert store.stats()["articles"] == 1


def test_sources_failures_and_stats(store: Store) -> None:
    store.write_batch([A], [
        SourceOutcome("ok.html", "f1", "stored", A.id),
        SourceOutcome("bad.html", "f2", "failed", reason="binary", detail="NUL bytes"),
        SourceOutcome("empty.html", "", "failed", reason="empty"),
    ])
    # a retried failure that is still failing replaces, never duplicates, its row
    store.write_batch([], [SourceOutcome("bad.html", "f2", "failed", reason="binary", detail="NUL bytes")])
    known = store.known_sources(["ok.html", "bad.html", "new.html"])
    assert set(known) == {"ok.html", "bad.html"}
    assert tuple(known["ok.html"]) == ("f1", "stored", A.id)
    assert (known["bad.html"].fingerprint, known["bad.html"].status) == ("f2", "failed")
    assert [f.source for f in store.failures()] == ["bad.html", "empty.html"]
    stats = store.stats()
    assert stats["articles"] == 1 and stats["failures"] == 2
    assert stats["failures_by_reason"] == {"binary": 1, "empty": 1}


def test_sqlite_migrations_are_named_and_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    s = SQLiteStore(path)
    names = s.migrations()
    s.write_batch([A], [])
    s.close()
    s2 = SQLiteStore(path)
    assert s2.migrations() == names and names[0] == "0001_articles"
    assert s2.get(A.id) == A
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    s2.close()


def test_sqlite_batch_is_atomic(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "a.db")
    bad = SourceOutcome("x", "f", "not-a-status")  # violates the CHECK constraint
    with pytest.raises(StoreError):
        s.write_batch([A, B], [bad])
    assert s.stats()["articles"] == 0
    s.close()


def test_read_only_store_refuses_writes_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    SQLiteStore(path).close()
    ro = open_store(str(path), read_only=True)
    with pytest.raises(StoreError):
        ro.write_batch([A], [])
    ro.close()
    with pytest.raises(StoreError):
        open_store(str(tmp_path / "missing.db"), read_only=True)


def test_annotations_are_indexed_by_entity_and_type(store: Store) -> None:
    ents = (
        {"start": 0, "end": 7, "text": "Russian", "label": "NORP", "canonical": "Russia", "kind": "country"},
        {"start": 60, "end": 64, "text": "Homs", "label": "GPE", "canonical": "Homs", "kind": "place"},
    )
    events = ({"type": "ASSAULT", "cameo": "195", "trigger": {"start": 17, "end": 28, "text": "carried out"},
               "actor": {"text": "Russian", "canonical": "Russia"}, "target": None, "places": []},)
    quotes = ({"start": 0, "end": 10, "text": "x", "kind": "indirect", "cue": None,
               "speaker": {"start": 0, "end": 7, "text": "Russian", "canonical": "Russia"}},)
    a = A.with_changes(entities=ents, events=events, quotes=quotes)
    store.write_batch([a, B], [])
    assert [h.data["canonical"] for h in store.annotations("entities", entity="russia")] == ["Russia"]
    assert [h.article_id for h in store.annotations("events", entity="Russia", type_="assault")] == [A.id]
    assert store.annotations("events", type_="PROTEST") == []
    assert [h.index for h in store.annotations("quotes", entity="RUSSIA")] == [0]
    assert len(store.annotations("entities")) == 2
    # an updated record replaces its annotations, never duplicates them
    store.write_batch([a.with_changes(entities=ents[:1])], [])
    assert len(store.annotations("entities")) == 1

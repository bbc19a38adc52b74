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


def _story(story_id: str, rows: list[dict[str, object]], size: int, label: str = "label") -> dict[str, object]:
    return {"id": story_id, "label": label, "first_seen": "2015-10-02", "last_seen": "2015-10-05",
            "outlets": ["Reuters"], "articles": rows, "events": [], "quotes": [], "conflicts": [],
            "size": size, "unique_size": size}


def test_story_records_append_rows_and_heads_read_in_one_batch(store: Store) -> None:
    from dateline.storage.base import StoryMember

    a1 = {"id": "a1", "url": None, "outlet": "Reuters", "title": None, "published": "2015-10-02",
          "duplicate_of": None, "similarity": 0.0}
    a2, a3 = {**a1, "id": "a2", "title": "Strikes"}, {**a1, "id": "a3", "similarity": 0.5}
    b1 = {**a1, "id": "b1"}
    members = [StoryMember("a1", "sa", None, 0.0), StoryMember("b1", "sb", None, 0.0)]
    store.write_stories([_story("sa", [a1], 1), _story("sb", [b1], 1)], members, "{}")
    heads = store.story_heads(["sa", "sb", "nope", "sa"])
    assert set(heads) == {"sa", "sb"} and heads["sa"]["articles"] == [] and heads["sa"]["titled"] is False
    assert heads["sa"]["size"] == 1 and heads["sa"]["label"] == "label"
    # append: the record's fields replace the stored ones, its rows go after the stored rows
    store.write_stories([_story("sa", [a2], 2, "Strikes")], [StoryMember("a2", "sa", None, 0.0)], "{}", append=True)
    store.write_stories([_story("sa", [a3], 3, "Strikes")], [StoryMember("a3", "sa", None, 0.5)], "{}", append=True)
    record = store.story("sa")
    assert record is not None and [r["id"] for r in record["articles"]] == ["a1", "a2", "a3"]
    assert record["size"] == 3 and record["label"] == "Strikes"
    assert list(record) == list(_story("sa", [], 3))  # same fields in the same order as written
    assert store.story_heads(["sa"])["sa"]["titled"] is True  # a2 has a title (a3, appended after, has not)
    assert [[r["id"] for r in s["articles"]] for s in store.stories(10)] == [["a1", "a2", "a3"], ["b1"]]
    assert store.stories(1, 1)[0]["id"] == "sb"
    # without append a record replaces the stored one whole, rows included
    store.write_stories([_story("sa", [a3], 1)], [], "{}")
    record = store.story("sa")
    assert record is not None and [r["id"] for r in record["articles"]] == ["a3"]
    assert store.story_heads(["sa"])["sa"]["titled"] is False
    store.write_stories([_story("sc", [a1], 1)], [], "{}", replace=True)
    assert [s["id"] for s in store.stories(10)] == ["sc"] and store.story_heads(["sa", "sb"]) == {}


def test_sqlite_migration_0007_splits_stored_story_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from dateline.storage import sqlite as sqlite_store

    path = tmp_path / "old.db"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", sqlite_store.MIGRATIONS[:6])  # a store from before 0007
    old = SQLiteStore(path)
    rows = [{"id": "a1", "title": None, "similarity": 0.1234, "outlet": "Ré"}, {"id": "a2", "title": "T"}]
    stored = [_story("sa", rows, 2), _story("sb", rows[:1], 1), {"id": "sold"}]
    for s in stored:
        old._db.execute("INSERT INTO stories VALUES (?, 'l', NULL, NULL, ?, ?, ?, 'now')",
                        (s["id"], s.get("size", 0), s.get("size", 0), json.dumps(s, ensure_ascii=False)))
    old._db.commit()
    old.close()
    monkeypatch.undo()
    store = SQLiteStore(path)
    assert store.migrations()[-1] == "0007_story_rows"
    for s in stored:
        assert json.dumps(store.story(str(s["id"]))) == json.dumps(s)  # same record, same key order
    heads = store.story_heads(["sa", "sb"])
    assert heads["sa"]["titled"] is True and heads["sb"]["titled"] is False
    store.close()

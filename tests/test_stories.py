"""Stories: seed conflict, incremental == rebuild, duplicate folding, stable ids, store and CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dateline import story_cluster
from dateline.models import Article, Dates, article_id
from dateline.storage import MemoryStore, SQLiteStore, Store
from dateline.stories import update_stories
from dateline.stories_cli import stories
from dateline.story_claims import count_stances, find_conflicts, target_stances
from dateline.story_eval import syndicated_copy
from tests.conftest import SEED, SHARED, need

DEV = SHARED / "data" / "stories" / "news-cluster-dev.jsonl.gz"


def _dev(n: int | None = None) -> list[Article]:
    with gzip.open(need(DEV), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    rows.sort(key=lambda r: (r["published"], r["id"]))
    return [Article(id=r["id"], text=r["text"], title=r.get("title"), outlet=r.get("outlet"), url=r.get("url"),
                    dates=Dates(published=r["published"])) for r in rows[:n]]


@pytest.fixture(scope="module")
def seed_article() -> Article:
    from dateline.registry import build_pipeline

    raw = need(SEED).read_text(encoding="utf-8")
    body = "\n\n".join(line.strip().replace("\xa0", " ") for line in raw.splitlines() if len(line.strip()) > 100)
    article = Article(id=article_id(None, body), text=body, outlet="Sputnik")
    return build_pipeline(on_error="raise").run([article])[0]


def test_seed_page_yields_one_conflict_with_three_sources(seed_article: Article) -> None:
    conflicts = find_conflicts([seed_article])
    assert [c["axis"] for c in conflicts] == ["target"]
    claims = {c["source"]: c for c in conflicts[0]["claims"]}
    assert set(claims) == {"joint statement", "Russian Defense Ministry", "Riad Haddad"}
    assert "not hit: militants" in claims["joint statement"]["says"]
    assert "civilians" in claims["joint statement"]["says"].split(";")[0]
    assert claims["Russian Defense Ministry"]["says"] == "hit: militants"
    assert "not hit: civilians, opposition" in claims["Riad Haddad"]["says"]
    # Sputnik's own narration ("pinpoint airstrikes on IS targets") backs the ministry, not a 4th source.
    assert "pinpoint airstrikes" in claims["Russian Defense Ministry"]["context"][0]["text"]
    for claim in claims.values():
        for span in claim["spans"]:
            assert seed_article.text[span["start"] : span["end"]] == span["text"]


def test_target_stances_read_negation_and_clauses() -> None:
    assert target_stances("strikes against terrorists and not opposition factions or civilians") == {
        "militants": True, "opposition": False, "civilians": False}
    assert target_stances("attacks that led to casualties among civilians and did not strike Islamic State targets") \
        == {"civilians": True, "militants": False}
    assert target_stances("cease attacks on civilians and to focus on the fight against the Islamic State") == {
        "civilians": True}
    assert target_stances("The minister met civilians") == {}


def test_count_and_denial_conflicts_between_outlets() -> None:
    assert count_stances("the attack killed 12 people") == {"killed": 12}
    assert count_stances("at least 40 people were killed and 3 wounded") == {"killed": 40, "wounded": 3}
    a = Article(id="a1", outlet="one.example", text="The bombing killed 12 people in the market, police said.",
                quotes=({"start": 0, "end": 41, "text": "The bombing killed 12 people in the market",
                         "speaker": {"text": "police", "canonical": "police"}},))
    b = Article(id="b1", outlet="two.example", text="Medics said 40 people were killed in the bombing.",
                quotes=({"start": 12, "end": 48, "text": "40 people were killed in the bombing",
                         "speaker": {"text": "Medics", "canonical": "medics"}},))
    conflicts = {c["axis"]: c for c in find_conflicts([a, b])}
    assert conflicts["count"]["pairs"][0]["on"] == ["killed"]


def _assignments(store: Store) -> dict[str, str]:
    return {a["id"]: s["id"] for s in store.stories(10000) for a in s["articles"]}


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_incremental_equals_rebuild(backend: str, tmp_path: Path) -> None:
    arts = _dev(80)
    store: Store = MemoryStore() if backend == "memory" else SQLiteStore(tmp_path / "s.db")
    store.write_batch(arts[:60], [])
    first = update_stories(store)
    assert first.added == 60 and not first.rebuilt
    before = _assignments(store)
    store.write_batch(arts[60:], [])
    second = update_stories(store)
    assert second.added == 20 and second.touched <= second.stories
    incremental = _assignments(store)
    assert all(incremental[k] == v for k, v in before.items())  # old articles keep their stories (stable ids)
    assert update_stories(store).added == 0
    update_stories(store, rebuild=True)
    assert _assignments(store) == incremental
    store.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_many_updates_append_and_compact_posting_rows(backend: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story_cluster, "MAX_TERM_ROWS", 2)  # compact after two rows, so eight runs do
    arts = _dev(120)
    store: Store = MemoryStore() if backend == "memory" else SQLiteStore(tmp_path / "s.db")
    for start in range(0, len(arts), 15):
        store.write_batch(arts[start : start + 15], [])
        assert update_stories(store).added == 15
    incremental = _assignments(store)
    if isinstance(store, SQLiteStore):
        counts = [r[0] for r in store._db.execute("SELECT count(*) FROM story_term_postings GROUP BY term")]
    else:
        counts = [len(rows) for rows in store.story_tables()._postings.values()]
    assert max(counts) == 2  # appended rows exist, and none beyond the compaction limit
    update_stories(store, rebuild=True)
    assert _assignments(store) == incremental
    store.close()


def test_stories_without_an_index_rebuild_after_migration_0006(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dateline.storage import sqlite as sqlite_store

    path = tmp_path / "old.db"
    arts = _dev(20)
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", sqlite_store.MIGRATIONS[:5])  # a store from before 0006
    old = SQLiteStore(path)
    old.write_batch(arts, [])
    old._db.execute("INSERT INTO story_members VALUES (?, 'sold', NULL, 1.0)", (arts[0].id,))
    old._db.execute("INSERT INTO stories VALUES ('sold', 'old', NULL, NULL, 1, 1, '{\"id\": \"sold\"}', 'now')")
    old._db.commit()
    old.close()
    monkeypatch.undo()
    store = SQLiteStore(path)
    assert store.migrations()[-1] == "0007_story_rows"
    summary = update_stories(store)
    assert summary.rebuilt and summary.added == 20
    assert len(_assignments(store)) == 20 and store.story("sold") is None
    store.close()


def test_near_duplicate_joins_the_canonical_story_and_folds() -> None:
    import random

    arts = _dev(30)
    original = max(arts, key=lambda a: len(a.text))
    copy = Article(id="copy-of-original", text=syndicated_copy(original.text, random.Random(1), ["boilerplate",
                   "trim"]), outlet="syndicator.example", dates=Dates(published="2030-01-01"))
    store = MemoryStore()
    store.write_batch([*arts, copy], [])
    update_stories(store)
    story = next(s for s in store.stories(1000) if any(a["id"] == copy.id for a in s["articles"]))
    row = next(a for a in story["articles"] if a["id"] == copy.id)
    assert row["duplicate_of"] == original.id
    assert story["unique_size"] == story["size"] - 1
    assert story["id"] == "s" + story["articles"][0]["id"][:15]


def test_cli_build_list_show(tmp_path: Path, seed_article: Article) -> None:
    db = str(tmp_path / "c.db")
    store = SQLiteStore(db)
    store.write_batch([*_dev(40), seed_article], [])
    store.close()
    runner = CliRunner()
    res = runner.invoke(stories, ["--db", db])
    assert res.exit_code == 0, res.output
    assert "41 articles clustered" in res.output
    res = runner.invoke(stories, ["list", "--db", db, "--json"])
    lines = [json.loads(line) for line in res.output.splitlines()]
    assert sum(len(x["articles"]) for x in lines) <= 41 and all({"id", "label", "articles"} <= set(x) for x in lines)
    seed_story = next(x for x in lines if any(a["id"] == seed_article.id for a in x["articles"]))
    res = runner.invoke(stories, ["show", seed_story["id"], "--db", db, "--json"])
    shown = json.loads(res.output)
    assert shown["conflicts"][0]["about"] == "who was hit"
    assert any(e["type"] == "ASSAULT" and len(e["mentions"]) >= 2 for e in shown["events"])
    res = runner.invoke(stories, ["show", seed_story["id"], "--db", db])
    assert "conflict: who was hit" in res.output
    assert runner.invoke(stories, ["show", "nope", "--db", db]).exit_code != 0


def _q(start: int, end: int, text: str, speaker: str, s_start: int, cue: str = "said",
       entities: list[str] | None = None) -> dict[str, object]:
    spk: dict[str, object] = {"start": s_start, "end": s_start + len(speaker), "text": speaker, "canonical": speaker}
    if entities:
        spk["entities"] = entities
    return {"start": start, "end": end, "text": text, "cue": {"text": cue}, "speaker": spk}


def test_statement_issuer_signatories_and_wording_merge_into_the_statement() -> None:
    from dateline.story_claims import statement_aliases

    quotes = [
        _q(30, 120, "a communique from four governments urging the army to stop shelling villages in the north",
           "The Interior Office", 0, cue="issued"),
        _q(60, 120, "to stop shelling villages in the north", "four governments", 50, cue="urging"),
        _q(200, 300, "The army is shelling villages in the north and must stop shelling them now", "the communique",
           180, entities=["Norway", "Chile", "Kenya", "Japan"]),
        _q(320, 380, "we saw soldiers shelling homes", "a farmer", 310),
        _q(400, 440, "the statement does not speak for us", "Chile", 390),
    ]
    aliases = statement_aliases(quotes)
    assert aliases == {"The Interior Office": "the communique", "four governments": "the communique"}
    assert statement_aliases(quotes[3:4]) == {}  # no statement in the article: nothing merges

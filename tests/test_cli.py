"""The CLI commands on a small real store: search, show, export (JSONL, CSV, Parquet), stats."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dateline.cli import main

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "cli.db"
    result = CliRunner().invoke(main, ["ingest", str(EXAMPLES / "html"), str(EXAMPLES / "jsonl"), "--db", str(path),
                                       "--stages", "none", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["stored"] >= 8
    return str(path)


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_search_finds_ranks_and_filters(db: str) -> None:
    hits = [json.loads(line) for line in invoke("search", "Nadal", "--db", db, "--json").splitlines()]
    assert hits and all("Nadal" in h["snippet"] or "nadal" in h["snippet"].lower() for h in hits)
    assert hits == sorted(hits, key=lambda h: -h["score"])
    outlets = {h["outlet"] for h in hits}
    only = [json.loads(x) for x in invoke("search", "Nadal", "--db", db, "--json", "--outlet", next(iter(outlets)))
            .splitlines()]
    assert only and {h["outlet"] for h in only} == {next(iter(outlets))}
    assert invoke("search", "Nadal", "--db", db, "--json", "--since", "2999-01-01").strip() == ""
    assert "no matches" in CliRunner().invoke(main, ["search", "zzzyzx", "--db", db]).output


def test_show_by_prefix_and_json(db: str) -> None:
    hit = json.loads(invoke("search", "Nadal", "--db", db, "--json", "--limit", "1"))
    record = json.loads(invoke("show", hit["id"][:10], "--db", db, "--json"))
    assert record["id"] == hit["id"] and record["text"]
    assert record["schema"] == 1 and set(record["dates"]) == {"published", "captured", "page_clock"}
    human = invoke("show", hit["id"], "--db", db)
    assert "Nadal" in human
    missing = CliRunner().invoke(main, ["show", "0000000000", "--db", db])
    assert missing.exit_code != 0 and "no article" in missing.output


def test_exports_hold_every_article(db: str, tmp_path: Path) -> None:
    n = json.loads(invoke("stats", "--db", db, "--json"))["articles"]
    lines = [json.loads(x) for x in invoke("export", "--format", "jsonl", "--db", db).splitlines() if x.startswith("{")]
    assert len(lines) == n and len({r["id"] for r in lines}) == n
    invoke("export", "--format", "csv", "--db", db, "-o", str(tmp_path / "a.csv"))
    with open(tmp_path / "a.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n and {r["id"] for r in rows} == {r["id"] for r in lines}
    import pyarrow.parquet as pq

    out = tmp_path / "a.parquet"
    invoke("export", "--format", "parquet", "--db", db, "-o", str(out))
    table = pq.read_table(out)
    assert table.num_rows == n
    assert table.schema.field("tags").type.value_type == "string"
    by_id = {r["id"]: r for r in lines}
    for row in table.to_pylist():
        assert row["text"] == by_id[row["id"]]["text"]


def test_stats_json_has_the_promised_keys(db: str) -> None:
    stats = json.loads(invoke("stats", "--db", db, "--json"))
    assert stats["articles"] >= 8 and stats["failures"] == 0


def test_extract_seed_without_store_is_jsonl(tmp_path: Path) -> None:
    out = invoke("extract", str(EXAMPLES / "text" / "sputnik-seed.txt"), "--jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 1 and records[0]["source"].endswith("sputnik-seed.txt")
    assert "\u00a0" not in records[0]["text"]


def test_db_defaults_to_env_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATELINE_DB", str(tmp_path / "env.db"))
    invoke("ingest", str(EXAMPLES / "jsonl"), "--stages", "none", "--quiet")
    assert (tmp_path / "env.db").exists() and not (tmp_path / "dateline.db").exists()
    monkeypatch.delenv("DATELINE_DB")
    invoke("ingest", str(EXAMPLES / "jsonl"), "--stages", "none", "--quiet")
    assert (tmp_path / "dateline.db").exists()

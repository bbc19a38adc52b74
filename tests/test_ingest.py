"""End-to-end ingest through the CLI, as a user runs it: summaries, idempotency, bad input,
flat memory on a large WARC, and a SIGKILL mid-run followed by a restart."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dateline.sources.warcwrite import http_request, http_response, warc_record, write_warc

from .conftest import DRAGNET, EXAMPLES, need

DATELINE = [sys.executable, "-m", "dateline.cli"]


def run(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATELINE_DB", None)
    proc = subprocess.run([*DATELINE, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"dateline {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def stats(db: Path) -> dict[str, object]:
    return json.loads(run("stats", "--db", str(db), "--json").stdout)


def test_examples_ingest_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "ex.db"
    first = json.loads(run("ingest", str(EXAMPLES), "--db", str(db), "--stages", "none", "--json").stdout)
    assert first["failed"] == 0
    assert first["stored"] >= 17  # 8 html + 9 text pages + WARC records + JSONL bodies
    assert first["read"] == first["stored"] + first["unchanged"] + first["skipped"] + first["failed"]
    again = json.loads(run("ingest", str(EXAMPLES), "--db", str(db), "--stages", "none", "--json").stdout)
    assert again["stored"] == 0 and again["unchanged"] == again["read"] == first["read"]
    s = stats(db)
    assert s["articles"] == first["stored"] and s["failures"] == 0
    # the same pages reached as files and as WARC records are different sources, one article each
    with sqlite3.connect(db) as con:
        urls = [r[0] for r in con.execute("SELECT url FROM articles WHERE url IS NOT NULL")]
    assert urls, "WARC and HTML pages carry URLs"


def _bomb(size: int) -> bytes:
    return gzip.compress(b"<p>" + b"a" * size, compresslevel=9)


@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    d = tmp_path / "bad"
    d.mkdir()
    pages = sorted((EXAMPLES / "html").glob("*.html"))
    for p in pages[:3]:
        (d / p.name).write_bytes(p.read_bytes())
    (d / "empty.html").write_bytes(b"")
    (d / "binary.html").write_bytes(bytes(range(256)) * 64)
    big = d / "huge.html"
    with big.open("wb") as f:  # a 50 MB page
        f.write(b"<html><body>")
        chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
        while f.tell() < 50 * 1024 * 1024:
            f.write(chunk)
    (d / "bomb.html.gz").write_bytes(_bomb(200 * 1024 * 1024))
    latin1 = (
        "Caf\xe9s in Montr\xe9al reopened on Monday after a long winter, and owners said the crowds were larger "
        "than they had expected for the first week of the season.\n\n"
        "The city's r\xe9seau of terraces, closed since November, is expected to employ more than two thousand "
        "people this summer, according to the merchants' association.\n\n"
        "\xabWe are ready,\xbb said Ren\xe9e Gagnon, who runs a caf\xe9 on Saint-Denis street."
    )
    (d / "latin1.txt").write_bytes(latin1.encode("latin-1"))
    # a WARC (of a page not among the files) whose second record is cut off mid-way
    good = pages[3].read_bytes()
    recs = [
        warc_record("response", http_response(good), date="2020-01-01T00:00:00Z", url="http://example.org/a"),
        warc_record("response", http_response(good + b"<p>second</p>"), date="2020-01-01T00:00:01Z",
                    url="http://example.org/b"),
    ]
    write_warc(str(d / "cut.warc"), recs, compress=False)
    data = (d / "cut.warc").read_bytes()
    (d / "cut.warc").write_bytes(data[: len(data) - len(recs[1]) // 2])
    (d / "broken.jsonl").write_text('{"url": "http://x/1", "body": "A clean body of text."}\nnot json\n{"url": 1}\n')
    return d


def test_bad_input_is_reported_and_never_stops_the_batch(bad_inputs: Path, tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    summary = json.loads(run("ingest", str(bad_inputs), "--db", str(db), "--stages", "none", "--json").stdout)
    reasons = {(Path(f["source"].split("#")[0].split(":")[0]).name, f["reason"]) for f in summary["failures"]}
    assert ("empty.html", "empty") in reasons
    assert ("binary.html", "binary") in reasons
    assert ("huge.html", "too-large") in reasons
    assert ("bomb.html.gz", "decompression-bomb") in reasons
    assert any(name == "cut.warc" and reason == "truncated" for name, reason in reasons)
    assert sum(1 for name, _ in reasons if name == "broken.jsonl") == 2
    assert all(f["detail"] for f in summary["failures"]), "every failure explains itself"
    # the good documents are all stored: 3 pages, the latin-1 text, the first WARC record, one JSONL body
    assert summary["stored"] == 6
    assert summary["warnings_by_kind"].get("decoding", 0) >= 1
    s = stats(db)
    assert s["articles"] == 6 and s["failures"] == summary["failed"]
    # re-running retries the failures but neither duplicates nor loses anything
    again = json.loads(run("ingest", str(bad_inputs), "--db", str(db), "--stages", "none", "--json").stdout)
    assert again["stored"] == 0 and again["failed"] == summary["failed"]
    assert stats(db) == s


# --- a large WARC of real pages ---------------------------------------------------------------

N_PAGES = 2000


def _dragnet_pages() -> Iterator[tuple[str, bytes]]:
    with gzip.open(need(DRAGNET), "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            yield rec["id"], rec["html"].encode("utf-8")


@pytest.fixture(scope="module")
def big_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~2,000 real pages (the Dragnet pages, the later ones again under a second URL) with request records."""
    path = tmp_path_factory.mktemp("warc") / "crawl.warc.gz"
    pages = list(_dragnet_pages())

    def records() -> Iterator[bytes]:
        for i in range(N_PAGES):
            page_id, html = pages[i % len(pages)]
            url = f"http://news.example/{i // len(pages)}/{page_id}"
            date = f"2012-07-{1 + i % 28:02d}T12:00:00Z"
            yield warc_record("request", http_request(url), date=date, url=url)
            yield warc_record("response", http_response(html), date=date, url=url)

    write_warc(str(path), records())
    return path


@pytest.fixture(scope="module")
def clean_run(big_warc: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], int]:
    """One uninterrupted single-process ingest of the big WARC: its store, summary and peak RSS."""
    import psutil

    db = tmp_path_factory.mktemp("clean") / "clean.db"
    proc = subprocess.Popen([*DATELINE, "ingest", str(big_warc), "--db", str(db), "--stages", "none", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    out, errs = proc.communicate()
    assert proc.returncode == 0, errs[-2000:]
    return db, json.loads(out), peak


@pytest.mark.slow
def test_large_warc_streams_in_flat_memory(clean_run: tuple[Path, dict[str, int], int]) -> None:
    db, summary, peak = clean_run
    assert summary["read"] == N_PAGES
    assert sum(summary["ignored_records"].values()) == N_PAGES  # the request records
    assert summary["stored"] + summary["unchanged"] + summary["skipped"] + summary["failed"] == N_PAGES
    # pages repeated under a second URL but declaring the same canonical URL are the same article
    assert summary["stored"] + summary["unchanged"] > 0.95 * N_PAGES
    assert summary["stored"] > 1300
    assert stats(db)["articles"] == summary["stored"]
    assert peak < 400 * 1024 * 1024, f"peak RSS {peak / 2**20:.0f} MB"


@pytest.mark.slow
def test_sigkill_mid_run_then_restart_gives_the_clean_result(
    big_warc: Path, clean_run: tuple[Path, dict[str, int], int], tmp_path: Path
) -> None:
    clean_db, clean, _ = clean_run
    db = tmp_path / "killed.db"
    proc = subprocess.Popen([*DATELINE, "ingest", str(big_warc), "--db", str(db), "--stages", "none", "-j", "2",
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # wait until some batches are committed, then kill the whole process group without warning
    deadline = time.time() + 600
    while time.time() < deadline:
        time.sleep(0.5)
        try:
            with sqlite3.connect(db, timeout=1) as con:
                n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.Error:
            continue
        if n >= N_PAGES // 3:
            break
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = stats(db)["articles"]
    assert 0 < partial < clean["stored"]  # type: ignore[operator]
    resumed = json.loads(run("ingest", str(big_warc), "--db", str(db), "--stages", "none", "-j", "2",
                             "--json").stdout)
    assert resumed["unchanged"] >= partial
    final, reference = stats(db), stats(clean_db)
    assert final["articles"] == reference["articles"] == clean["stored"]
    assert final["failures"] == reference["failures"]
    with sqlite3.connect(db) as a, sqlite3.connect(clean_db) as b:
        ids_a = [r[0] for r in a.execute("SELECT id FROM articles ORDER BY id")]
        ids_b = [r[0] for r in b.execute("SELECT id FROM articles ORDER BY id")]
    assert ids_a == ids_b

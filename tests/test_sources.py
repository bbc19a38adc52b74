"""Sources: real pages as files, WARC, JSONL and stdin; every bad-input case fails alone."""

from __future__ import annotations

import builtins
import gzip
import io
import json
import os
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:  # tests/ as a package (tests/__init__.py) or as a plain directory on sys.path
    from tests.warcutil import (
        DATE,
        EXAMPLES,
        Page,
        bomb_member,
        crawl_records,
        load_pages,
        members,
        response,
    )
except ImportError:  # pragma: no cover
    from warcutil import (  # type: ignore[no-redef]
        DATE,
        EXAMPLES,
        Page,
        bomb_member,
        crawl_records,
        load_pages,
        members,
        response,
    )

from dateline.models import RawDocument
from dateline.sources import Limits, SourceFailure, SourceSkip, iter_inputs
from dateline.sources.warcwrite import gzip_member, warc_record, write_warc

PAGES = load_pages()
SMALL = Limits(max_document_bytes=2_000_000, max_decompressed_bytes=8_000_000, max_jsonl_line_bytes=3_000_000)


def run(paths: list[str] | list[Path], limits: Limits = SMALL, **kw: Any) -> list[Any]:
    return list(iter_inputs([str(p) for p in paths], limits, **kw))


def docs(items: list[Any]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def failures(items: list[Any]) -> list[SourceFailure]:
    return [i for i in items if isinstance(i, SourceFailure)]


def skips(items: list[Any]) -> Counter[str]:
    return Counter(i.reason for i in items if isinstance(i, SourceSkip))


def by_url(items: list[Any]) -> dict[str | None, RawDocument]:
    d = docs(items)
    urls = [x.url for x in d]
    assert len(urls) == len(set(urls)), f"duplicate documents: {urls}"
    return {x.url: x for x in d}


def test_there_are_eight_real_pages() -> None:
    assert len(PAGES) == 8
    assert all(p.html.lstrip().startswith(b"<") and p.gold["url"].startswith("http") for p in PAGES)


# --- plain files ---------------------------------------------------------------------------


@pytest.fixture
def page_dir(tmp_path: Path) -> Path:
    d = tmp_path / "pages"
    (d / "html").mkdir(parents=True)
    (d / "text").mkdir()
    for p in PAGES:
        (d / "html" / f"{p.short_id}.html").write_bytes(p.html)
        (d / "text" / f"{p.short_id}.txt").write_bytes(p.flat)
    return d


def test_directory_of_pages_yields_each_once_sorted_with_kind_and_mtime(page_dir: Path) -> None:
    stamp = 1_574_251_200  # 2019-11-20T12:00:00Z
    for f in page_dir.rglob("*.*"):
        os.utime(f, (stamp, stamp))
    items = run([page_dir])
    d = docs(items)
    assert len(d) == 16 and not failures(items) and not skips(items)
    assert [x.source for x in d] == sorted(x.source for x in d)
    for p in PAGES:
        h = next(x for x in d if x.source.endswith(f"html/{p.short_id}.html"))
        t = next(x for x in d if x.source.endswith(f"text/{p.short_id}.txt"))
        assert (h.kind, h.content, h.url) == ("html", p.html, None)
        assert (t.kind, t.content) == ("text", p.flat)
        assert h.captured == t.captured == "2019-11-20T12:00:00Z"


def test_rerun_is_identical(page_dir: Path) -> None:
    assert run([page_dir]) == run([page_dir])


def test_same_file_named_twice_is_read_once(page_dir: Path) -> None:
    one = page_dir / "html" / f"{PAGES[0].short_id}.html"
    items = run([one, page_dir, one])
    sources = [x.source for x in docs(items)]
    assert len(sources) == 16
    assert sources[0] == str(one)


def test_missing_path_and_empty_glob_fail_as_not_found(tmp_path: Path) -> None:
    items = run([tmp_path / "nope.html", str(tmp_path / "*.warc.gz")])
    assert [(f.reason) for f in failures(items)] == ["not-found", "not-found"]


def test_glob_expands_sorted_and_skips_unknown_extensions(page_dir: Path) -> None:
    (page_dir / "html" / "README.md").write_text("not a page")
    items = run([str(page_dir / "html" / "*")])
    assert len(docs(items)) == 8
    assert skips(items) == Counter({"unsupported-extension": 1})
    assert [x.source for x in docs(items)] == sorted(x.source for x in docs(items))


def test_unknown_extensions_skipped_in_dirs_sniffed_when_named(tmp_path: Path) -> None:
    (tmp_path / "page.php").write_bytes(PAGES[0].html)
    (tmp_path / "notes").write_bytes(b"Plain words.\n")
    (tmp_path / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / ".hidden.html").write_bytes(PAGES[0].html)
    in_dir = run([tmp_path])
    assert not docs(in_dir) and skips(in_dir) == Counter({"unsupported-extension": 3})
    named = run([tmp_path / "page.php", tmp_path / "notes", tmp_path / "image.bin"])
    assert [(x.kind, x.content) for x in docs(named)] == [
        ("html", PAGES[0].html),
        ("text", b"Plain words.\n"),
    ]
    assert [(f.source, f.reason) for f in failures(named)] == [(str(tmp_path / "image.bin"), "binary")]


def test_bad_files_fail_alone_and_good_ones_come_through_once(tmp_path: Path) -> None:
    good = tmp_path / "a_good.html"
    good.write_bytes(PAGES[1].html)
    (tmp_path / "b_empty.html").write_bytes(b"")
    (tmp_path / "c_blank.txt").write_bytes(b"  \n\n \t")
    (tmp_path / "d_binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with open(tmp_path / "e_huge.html", "wb") as f:  # 50 MB, sparse: never written
        f.truncate(50 * 1024 * 1024)
    (tmp_path / "f_latin1.html").write_bytes("<p>Café à Genève</p>".encode("latin-1"))
    (tmp_path / "g_dangling.html").symlink_to(tmp_path / "missing-target")
    (tmp_path / "h_good.txt").write_bytes(PAGES[2].flat)
    items = run([tmp_path], Limits())
    got = {Path(f.source).name: f.reason for f in failures(items)}
    assert got == {
        "b_empty.html": "empty",
        "c_blank.txt": "empty",
        "d_binary.html": "binary",
        "e_huge.html": "too-large",
        "g_dangling.html": "unreadable",
    }
    d = docs(items)
    assert [Path(x.source).name for x in d] == ["a_good.html", "f_latin1.html", "h_good.txt"]
    assert d[0].content == PAGES[1].html and d[2].content == PAGES[2].flat
    assert d[1].content == "<p>Café à Genève</p>".encode("latin-1")  # invalid UTF-8 passed through


def test_too_large_page_is_refused_without_opening_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.html"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    real_open = builtins.open

    def guarded(file: Any, *a: Any, **k: Any) -> Any:
        assert str(file) != str(big), "the oversized page was opened"
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", guarded)
    items = run([big], Limits())
    assert [(f.reason, f.source) for f in failures(items)] == [("too-large", str(big))]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_unreadable_file_fails(tmp_path: Path) -> None:
    locked = tmp_path / "locked.html"
    locked.write_bytes(PAGES[0].html)
    locked.chmod(0)
    try:
        assert [f.reason for f in failures(run([locked]))] == ["unreadable"]
    finally:
        locked.chmod(0o644)


def test_gzipped_pages_good_bomb_truncated_and_fake(tmp_path: Path) -> None:
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(PAGES[0].html))
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(PAGES[0].flat))
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = c.compress(b"<html>" + b" " * (50 * 1024 * 1024)) + c.flush()
    assert len(bomb) < 100_000
    (tmp_path / "c_bomb.html.gz").write_bytes(bomb)
    (tmp_path / "d_big.html.gz").write_bytes(gzip.compress(b"<p>" + os.urandom(1_500_000).hex().encode()))
    (tmp_path / "e_cut.txt.gz").write_bytes(gzip.compress(PAGES[1].flat)[:-200])
    (tmp_path / "f_fake.html.gz").write_bytes(PAGES[1].html)
    items = run([tmp_path])
    assert [(x.kind, x.content) for x in docs(items)] == [("html", PAGES[0].html), ("text", PAGES[0].flat)]
    got = {Path(f.source).name: f.reason for f in failures(items)}
    assert got == {
        "c_bomb.html.gz": "decompression-bomb",
        "d_big.html.gz": "too-large",
        "e_cut.txt.gz": "truncated",
        "f_fake.html.gz": "not-gzip",
    }


# --- WARC ------------------------------------------------------------------------------------


def cp1252_page() -> bytes:
    return "<html><head><title>Déjà vu</title></head><body><p>“Quoted” café — 2019</p></body></html>".encode("cp1252")


def full_crawl(tmp_path: Path, compress: bool = True) -> Path:
    recs = crawl_records(PAGES)
    recs += [
        response("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
        response("https://example.org/feed.json", b'{"a": 1}', "application/json"),
        response("https://example.org/missing", b"<html>gone</html>", status="404 Not Found"),
        response("https://example.org/moved", b"", status="301 Moved Permanently"),
        response("https://example.org/no-type", PAGES[3].html, None),
        response("https://example.org/no-type.txt", b"just some text", None),
        response("https://example.org/cp1252", cp1252_page(), "text/html; charset=windows-1252"),
        response("https://example.org/mislabelled", PAGES[4].html, "text/html; charset=iso-8859-1"),
        response("https://example.org/xhtml", PAGES[5].html, "application/xhtml+xml"),
    ]
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    write_warc(str(path), recs, compress=compress)
    return path


@pytest.mark.parametrize("compress", [True, False])
def test_warc_yields_html_responses_once_and_counts_skips(tmp_path: Path, compress: bool) -> None:
    path = full_crawl(tmp_path, compress)
    items = run([path])
    assert not failures(items)
    got = by_url(items)
    for p in PAGES:
        doc = got[p.url]
        assert doc.content == p.html and doc.kind == "html" and doc.charset == "utf-8"
        assert doc.captured == DATE
        assert doc.source.startswith(f"{path}#<urn:uuid:")
    assert got["https://example.org/no-type"].content == PAGES[3].html
    assert got["https://example.org/no-type"].charset is None
    assert got["https://example.org/cp1252"].charset == "windows-1252"
    assert got["https://example.org/mislabelled"].charset == "iso-8859-1"
    assert got["https://example.org/xhtml"].content == PAGES[5].html
    assert len(got) == 8 + 4
    assert skips(items) == Counter(
        {"warc-warcinfo": 1, "warc-request": 8, "warc-metadata": 8, "not-html": 3, "http-status": 2}
    )
    assert len(items) == 12 + 22  # nothing else, nothing twice


def test_warc_charsets_decode_correctly(tmp_path: Path) -> None:
    from dateline.extract.decode import decode_bytes

    got = by_url(run([full_crawl(tmp_path)]))
    cp = got["https://example.org/cp1252"]
    text, _ = decode_bytes(cp.content, cp.source, cp.charset)  # type: ignore[arg-type]
    assert "“Quoted” café — 2019" in text
    wrong = got["https://example.org/mislabelled"]
    text, _ = decode_bytes(wrong.content, wrong.source, wrong.charset)  # type: ignore[arg-type]
    assert text == PAGES[4].html.decode("utf-8")


def test_warc_written_by_warcio_reads_the_same(tmp_path: Path) -> None:
    warcio = pytest.importorskip("warcio.warcwriter")
    from warcio.statusandheaders import StatusAndHeaders

    path = tmp_path / "warcio.warc.gz"
    with open(path, "wb") as f:
        w = warcio.WARCWriter(f, gzip=True)
        w.write_record(w.create_warcinfo_record("warcio.warc.gz", {"software": "tests"}))
        for p in PAGES:
            hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=UTF-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(p.url, "response", payload=io.BytesIO(p.html), http_headers=hh))
    got = by_url(run([path]))
    assert {u: d.content for u, d in got.items()} == {p.url: p.html for p in PAGES}


def test_warc_content_encodings(tmp_path: Path) -> None:
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = c.compress(b"<html>" + b"a" * (20 * 1024 * 1024)) + c.flush()
    recs = [
        response("https://e.org/gz", gzip.compress(PAGES[0].html), headers=[("Content-Encoding", "gzip")]),
        response("https://e.org/deflate", zlib.compress(PAGES[1].html), headers=[("Content-Encoding", "deflate")]),
        response("https://e.org/bomb", bomb, headers=[("Content-Encoding", "gzip")]),
        response("https://e.org/br", b"\x0b\x02\x80", headers=[("Content-Encoding", "br")]),
        response(PAGES[2].url, PAGES[2].html),
    ]
    path = tmp_path / "enc.warc.gz"
    write_warc(str(path), recs)
    items = run([path])
    got = by_url(items)
    assert {u: d.content for u, d in got.items()} == {
        "https://e.org/gz": PAGES[0].html,
        "https://e.org/deflate": PAGES[1].html,
        PAGES[2].url: PAGES[2].html,
    }
    assert [f.reason for f in failures(items)] == ["decompression-bomb", "unsupported-encoding"]


def test_warc_chunked_transfer_is_undone(tmp_path: Path) -> None:
    body = PAGES[0].html
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 5000]), body[i : i + 5000]) for i in range(0, len(body), 5000)
    )
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n\r\n"
    path = tmp_path / "chunked.warc"
    write_warc(str(path), [warc_record("response", block, date=DATE, url="https://e.org/c")], compress=False)
    assert [d.content for d in docs(run([path]))] == [body]


def test_warc_too_large_record_and_bomb_fail_alone(tmp_path: Path) -> None:
    big = b"<html>" + os.urandom(1_200_000).hex().encode()  # 2.4 MB, compresses ~2:1
    path = tmp_path / "sizes.warc.gz"
    with open(path, "wb") as f:
        f.write(gzip_member(response(PAGES[0].url, PAGES[0].html)))
        f.write(gzip_member(response("https://e.org/big", big)))
        f.write(gzip_member(response(PAGES[1].url, PAGES[1].html)))
        # Declares 2 GiB, holds 64 MiB of zeros: inflating it would swallow the records after it.
        f.write(bomb_member("https://e.org/bomb", 2 * 1024**3, actual=64 * 1024**2))
        f.write(gzip_member(response(PAGES[2].url, PAGES[2].html)))
    start = time.monotonic()
    items = run([path])
    elapsed = time.monotonic() - start
    assert [d.url for d in docs(items)] == [PAGES[0].url, PAGES[1].url, PAGES[2].url]
    assert [(f.source.split("#")[0], f.reason) for f in failures(items)] == [
        (str(path), "too-large"),
        (str(path), "decompression-bomb"),
    ]
    assert elapsed < 5, "the bomb was inflated instead of jumped over"


def test_warc_real_bomb_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    with open(path, "wb") as f:
        f.write(bomb_member("https://e.org/bomb", 256 * 1024**2))
        f.write(gzip_member(response(PAGES[0].url, PAGES[0].html)))
    items = run([path])
    assert [d.url for d in docs(items)] == [PAGES[0].url]
    assert [f.reason for f in failures(items)] == ["decompression-bomb"]


def test_warc_uncompressed_too_large_record(tmp_path: Path) -> None:
    path = tmp_path / "big.warc"
    big = b"<html>" + b"x" * 2_100_000
    write_warc(str(path), [response("https://e.org/big", big), response(PAGES[0].url, PAGES[0].html)], compress=False)
    items = run([path])
    assert [f.reason for f in failures(items)] == ["too-large"]
    assert [d.url for d in docs(items)] == [PAGES[0].url]


def test_not_warc_and_empty_warc(tmp_path: Path) -> None:
    (tmp_path / "a.warc.gz").write_bytes(os.urandom(5000))
    (tmp_path / "b.warc.gz").write_bytes(gzip.compress(b"<html>this is not a warc</html>"))
    (tmp_path / "c.warc").write_bytes(PAGES[0].html)
    (tmp_path / "d.warc.gz").write_bytes(b"")
    items = run([tmp_path])
    assert [(Path(f.source).name, f.reason) for f in failures(items)] == [
        ("a.warc.gz", "not-warc"),
        ("b.warc.gz", "not-warc"),
        ("c.warc", "not-warc"),
        ("d.warc.gz", "empty"),
    ]


def _crawl_bytes(compress: bool) -> tuple[bytes, list[Page]]:
    pages = PAGES[:4]
    recs = crawl_records(pages)
    data = b"".join(members(recs)) if compress else b"".join(recs)
    return data, pages


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(compress=st.booleans(), frac=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_truncated_warc_keeps_complete_records_and_reports_the_cut(tmp_path: Path, compress: bool, frac: float) -> None:
    data, pages = _crawl_bytes(compress)
    cut = max(1, int(len(data) * frac))
    path = tmp_path / ("cut.warc.gz" if compress else "cut.warc")
    path.write_bytes(data[:cut])
    items = run([path])
    d = docs(items)
    # Every document that comes through is complete and in order: a prefix of the pages.
    assert [(x.url, x.content) for x in d] == [(p.url, p.html) for p in pages[: len(d)]]
    fails = failures(items)
    assert all(f.reason in ("truncated", "not-warc") for f in fails), fails
    assert len(fails) <= 1
    if len(d) < len(pages):
        # The cut lost a page: unless the file stops at a record boundary (or inside the blank
        # lines that end a record, when nothing of it is lost), it is reported.
        boundaries = _boundaries(compress)
        assert fails or any(0 <= b - cut <= (0 if compress else 4) for b in boundaries)


def _boundaries(compress: bool) -> set[int]:
    recs = crawl_records(PAGES[:4])
    parts = members(recs) if compress else recs
    out, pos = set(), 0
    for p in parts:
        pos += len(p)
        out.add(pos)
    return out


def test_truncated_warc_names_the_record(tmp_path: Path) -> None:
    data, pages = _crawl_bytes(True)
    recs = members(crawl_records(pages))
    # Cut in the middle of the third page's response member (warcinfo + 2 * 3 records + request).
    start = sum(len(m) for m in recs[:8])
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: start + len(recs[8]) // 2])
    items = run([path])
    assert [x.url for x in docs(items)] == [pages[0].url, pages[1].url]
    (fail,) = failures(items)
    assert fail.reason == "truncated" and fail.source.startswith(f"{path}#")


@pytest.mark.parametrize("compress", [True, False])
def test_corrupt_middle_loses_only_the_damaged_record(tmp_path: Path, compress: bool) -> None:
    recs = crawl_records(PAGES)
    parts = members(recs) if compress else list(recs)
    damaged = 3 * 3 + 2  # the 4th page's response record
    blob = bytearray(parts[damaged])
    mid = len(blob) // 2
    blob[mid : mid + 64] = os.urandom(64) if compress else b"WARC/9.9 garbage\r\n" * 3 + b"x" * 10
    parts[damaged] = bytes(blob)
    path = tmp_path / ("damaged.warc.gz" if compress else "damaged.warc")
    path.write_bytes(b"".join(parts))
    items = run([path])
    urls = [d.url for d in docs(items)]
    expected = [p.url for i, p in enumerate(PAGES) if i != 3]
    if compress:
        assert urls == expected
        assert [f.reason for f in failures(items)] == ["corrupt"]
    else:
        # Plain WARC: the damaged record still parses by length; its body is damaged but present.
        assert urls == [p.url for p in PAGES]


def test_garbage_between_members_is_reported_and_passed(tmp_path: Path) -> None:
    parts = members(crawl_records(PAGES))
    parts.insert(7, os.urandom(3000).replace(b"\x1f\x8b", b"xx"))
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(b"".join(parts))
    items = run([path])
    assert [d.url for d in docs(items)] == [p.url for p in PAGES]
    assert [f.reason for f in failures(items)] == ["corrupt"]


@pytest.mark.slow
def test_warc_memory_stays_flat_on_a_large_file(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    path = tmp_path / "large.warc.gz"
    per_copy = members(crawl_records(PAGES))[1:]
    one_pass = sum(len(p.html) for p in PAGES)
    copies = (1_200 * 1024 * 1024) // one_pass + 1  # ~1.2 GB of HTML once inflated
    with open(path, "wb") as f:
        for _ in range(copies):
            f.write(b"".join(per_copy))
    proc = psutil.Process()
    n = 0
    peak = base = proc.memory_info().rss
    for item in iter_inputs([str(path)]):
        if isinstance(item, RawDocument):
            n += 1
            if n % 500 == 0:
                peak = max(peak, proc.memory_info().rss)
    assert n == copies * len(PAGES)
    assert peak - base < 100 * 1024 * 1024


# --- JSONL -----------------------------------------------------------------------------------


def test_jsonl_lines_good_and_bad(tmp_path: Path) -> None:
    p0, p1, p2 = PAGES[:3]
    lines = [
        json.dumps({"url": p0.url, "html": p0.html.decode(), "id": 7, "title": "T", "outlet": "O"}),
        "",
        json.dumps({"url": p1.url, "text": p1.flat.decode(), "captured": "2019-11-20T10:00:00Z"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"html": "<p>x</p>"}),
        json.dumps({"url": "https://e.org/none"}),
        json.dumps({"url": "https://e.org/int", "body": 5}),
        json.dumps({"url": "https://e.org/empty", "body": "   "}),
        json.dumps({"url": "https://e.org/id", "body": "x", "id": {"a": 1}}),
        json.dumps({"url": p2.url, "body": p2.gold["text"], "published": "2019-11-19", "html": "<p>ignored</p>"}),
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    stamp = 1_574_251_200
    os.utime(path, (stamp, stamp))
    items = run([path])
    d = docs(items)
    assert [(x.source, x.kind, x.url) for x in d] == [
        (f"{path}:1", "html", p0.url),
        (f"{path}:3", "text", p1.url),
        (f"{path}:11", "body", p2.url),
    ]
    assert d[0].content == p0.html.decode() and d[0].source_id == "7"
    assert d[0].hints == {"title": "T", "outlet": "O"}
    assert d[0].captured == "2019-11-20T12:00:00Z"  # the file's mtime
    assert d[1].captured == "2019-11-20T10:00:00Z"
    assert d[2].content == p2.gold["text"] and d[2].hints == {"published": "2019-11-19"}
    assert [(f.source, f.reason) for f in failures(items)] == [
        (f"{path}:4", "bad-json"),
        (f"{path}:5", "bad-json"),
        (f"{path}:6", "missing-field"),
        (f"{path}:7", "missing-field"),
        (f"{path}:8", "bad-field"),
        (f"{path}:9", "empty"),
        (f"{path}:10", "bad-field"),
    ]


def test_jsonl_long_line_invalid_utf8_gzip_and_truncation(tmp_path: Path) -> None:
    limits = Limits(max_jsonl_line_bytes=10_000)
    good = json.dumps({"url": "https://e.org/1", "body": "One."}).encode()
    long = json.dumps({"url": "https://e.org/2", "html": "<p>" + "x" * 20_000}).encode()
    bad_utf8 = b'{"url": "https://e.org/3", "html": "<p>caf\xe9</p>"}'
    data = b"\n".join([good, long, bad_utf8, good]) + b"\n"
    (tmp_path / "a.jsonl").write_bytes(data)
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(data * 50)[:-300])
    (tmp_path / "d.jsonl").write_bytes(b"")
    (tmp_path / "e.jsonl").write_bytes(b"\n\n")
    items = run([tmp_path], limits)
    for name in ("a.jsonl", "b.jsonl.gz"):
        mine = [i for i in items if i.source.startswith(str(tmp_path / name) + ":")]
        assert [getattr(i, "reason", None) for i in mine] == [None, "too-large", None, None]
        assert mine[2].content == b"<p>caf\xe9</p>"  # undecodable bytes passed to the decoder
        assert mine[3].source.endswith(":4")
    cut = [i for i in items if i.source.startswith(str(tmp_path / "c.jsonl.gz"))]
    assert isinstance(cut[-1], SourceFailure) and cut[-1].reason == "truncated"
    assert len(docs(cut)) >= 100 and all(isinstance(i, RawDocument) or i.reason == "too-large" for i in cut[:-1])
    assert [
        (Path(f.source).name, f.reason) for f in failures(items) if "jsonl:" not in f.source and ".gz:" not in f.source
    ] == [("d.jsonl", "empty"), ("e.jsonl", "empty")]


_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(lambda s: s.strip() != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {"url": _text, "body": _text},
            optional={
                "id": st.one_of(_text, st.integers()),
                "title": _text,
                "published": _text,
                "outlet": _text,
            },
        ),
        min_size=1,
        max_size=6,
    ),
    ascii_only=st.booleans(),
)
def test_jsonl_round_trip(tmp_path: Path, records: list[dict[str, Any]], ascii_only: bool) -> None:
    path = tmp_path / "rt.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in records), "utf-8")
    d = run([path])
    assert all(isinstance(x, RawDocument) for x in d)
    assert [(x.url, x.content, x.kind, x.source_id) for x in d] == [
        (r["url"], r["body"], "body", None if "id" not in r else str(r["id"])) for r in records
    ]
    for x, r in zip(d, records, strict=True):
        assert x.hints == {k: r[k] for k in ("title", "published", "outlet") if k in r and r[k].strip()}


# --- stdin -----------------------------------------------------------------------------------


def test_stdin_jsonl_html_text_and_empty() -> None:
    lines = b"\n  " + b"\n".join(json.dumps({"url": p.url, "body": p.gold["text"]}).encode() for p in PAGES)
    d = docs(run(["-"], stdin=io.BytesIO(lines)))
    assert [(x.source, x.url) for x in d] == [(f"<stdin>:{i + 2}", p.url) for i, p in enumerate(PAGES)]
    (h,) = run(["-"], stdin=io.BytesIO(PAGES[0].html))
    assert (h.source, h.kind, h.content, h.captured) == ("<stdin>", "html", PAGES[0].html, None)
    (t,) = run(["-"], stdin=io.BytesIO(PAGES[0].flat))
    assert (t.kind, t.content) == ("text", PAGES[0].flat)
    (e,) = run(["-"], stdin=io.BytesIO(b""))
    assert isinstance(e, SourceFailure) and e.reason == "empty"
    (big,) = run(["-"], Limits(max_document_bytes=1000), stdin=io.BytesIO(PAGES[0].html))
    assert isinstance(big, SourceFailure) and big.reason == "too-large"


# --- bundled examples ------------------------------------------------------------------------


@pytest.mark.skipif(not (EXAMPLES / "warc" / "examples.warc.gz").exists(), reason="examples not built")
def test_bundled_examples_read_cleanly() -> None:
    items = list(iter_inputs([str(EXAMPLES)]))
    assert not failures(items)
    d = docs(items)
    kinds = Counter(x.kind for x in d)
    assert kinds["html"] == 16 and kinds["text"] == 9 and kinds["body"] >= 3
    warc_docs = [x for x in d if "#" in x.source]
    gold = {json.loads(p.read_text("utf-8"))["url"] for p in (EXAMPLES / "gold").glob("*.json")}
    assert {x.url for x in warc_docs} == gold
    assert all(x.captured == "2019-11-20T12:00:00Z" for x in warc_docs)
    assert skips(items)["not-html"] >= 1 and skips(items)["unsupported-extension"] >= 1  # README.md, gold/*.json

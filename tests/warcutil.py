"""Test helpers: the real example pages, and WARC files built from them at test time.

Records are written with :mod:`dateline.sources.warcwrite` (every byte under the test's control,
so damaged files can be made too); one test cross-checks against warcio, an independent writer.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from dateline.sources.warcwrite import gzip_member, http_request, http_response, warc_record

PAGES_DIR = Path(__file__).resolve().parents[2] / "shared" / "examples" / "pages"
REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DATE = "2019-11-20T12:00:00Z"


@dataclass(frozen=True)
class Page:
    """One real example page: html bytes, flattened text bytes and its gold record."""

    short_id: str
    html: bytes
    flat: bytes
    gold: dict[str, str]

    @property
    def url(self) -> str:
        return self.gold["url"]


def load_pages() -> list[Page]:
    """The 8 example pages (from /work/shared, else from the repo's examples/), sorted by id."""
    pages = []
    if PAGES_DIR.is_dir():
        for html in sorted(PAGES_DIR.glob("*.html")):
            stem = html.name[: -len(".html")]
            gold = json.loads((PAGES_DIR / f"{stem}.json").read_text("utf-8"))
            flat = (PAGES_DIR / f"{stem}.flat.txt").read_bytes()
            pages.append(Page(stem[:8], html.read_bytes(), flat, gold))
    else:
        for html in sorted((EXAMPLES / "html").glob("*.html")):
            sid = html.stem
            gold = json.loads((EXAMPLES / "gold" / f"{sid}.json").read_text("utf-8"))
            pages.append(Page(sid, html.read_bytes(), (EXAMPLES / "text" / f"{sid}.txt").read_bytes(), gold))
    return pages


def response(url: str, payload: bytes, content_type: str | None = "text/html; charset=utf-8", **kw: object) -> bytes:
    """A WARC response record for ``url`` with an HTTP response around ``payload``."""
    status = str(kw.pop("status", "200 OK"))
    headers = kw.pop("headers", ())
    assert not kw, kw
    block = http_response(payload, content_type, status=status, headers=headers)  # type: ignore[arg-type]
    return warc_record("response", block, date=DATE, url=url)


def request(url: str) -> bytes:
    """A WARC request record for ``url``."""
    return warc_record("request", http_request(url), date=DATE, url=url)


def metadata(url: str) -> bytes:
    """A WARC metadata record (like Common Crawl's fetchTimeMs)."""
    return warc_record("metadata", b"fetchTimeMs: 123\r\n", date=DATE, url=url)


def warcinfo() -> bytes:
    """A warcinfo record."""
    return warc_record("warcinfo", b"software: dateline-tests\r\nformat: WARC File Format 1.1\r\n", date=DATE)


def crawl_records(pages: list[Page]) -> list[bytes]:
    """warcinfo, then request/response/metadata for each page: the shape of a real crawl."""
    records = [warcinfo()]
    for p in pages:
        records += [request(p.url), response(p.url, p.html), metadata(p.url)]
    return records


def bomb_member(url: str, size: int, actual: int | None = None) -> bytes:
    """One gzip member: a response record declaring ``size`` bytes of HTML-typed zeros.

    Built by streaming the compressor, so the expanded record never exists in memory.  With
    ``actual`` the member holds only that many zeros (the declared length stays ``size``): a reader
    that inflated the record instead of jumping over it would then swallow the records after it.
    """
    block_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + str(size).encode() + b"\r\n\r\n"
    head = warc_record("response", b"", date=DATE, url=url, content_length=len(block_head) + size)
    head = head[: -len(b"\r\n\r\n")]  # warc_record appended the record end; the block follows
    c = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [c.compress(head + block_head)]
    zeros = b"\0" * (1 << 20)
    left = size if actual is None else actual
    while left > 0:
        n = min(left, len(zeros))
        out.append(c.compress(zeros[:n]))
        left -= n
    out.append(c.compress(b"\r\n\r\n"))
    out.append(c.flush())
    return b"".join(out)


def members(records: list[bytes]) -> list[bytes]:
    """Each record as a gzip member."""
    return [gzip_member(r) for r in records]

"""WARC crawls, streamed record by record with FastWARC (memory stays flat on multi-GB files).

Which records become documents: ``response`` records holding an HTTP response with a 2xx status
and an HTML payload (``Content-Type`` ``text/html`` or ``application/xhtml+xml``, or, when the
header is missing, a payload that sniffs as HTML).  Everything else is a :class:`SourceSkip` with a
stable reason key (``warc-request``, ``warc-metadata``, ``warc-warcinfo``, ``warc-revisit`` …,
``not-http``, ``http-status``, ``not-html``) so the pipeline can count skips instead of logging
each one.

Per document: ``source`` is ``<file>#<WARC-Record-ID>``, ``url`` the ``WARC-Target-URI``,
``captured`` the ``WARC-Date``, ``charset`` the charset of the HTTP ``Content-Type``; the payload
bytes are handed over undecoded.  Chunked transfer coding is undone by FastWARC
(``auto_decode="transfer"``); a ``Content-Encoding`` of gzip/deflate is undone here with a bound
(FastWARC's own content decoding has none); ``br``/``zstd`` fail as ``unsupported-encoding``.

Damage handling (a bad record never loses or duplicates another):

* **too large**: the record's declared length is checked before its body is read.  In a gzipped
  WARC the reader then *jumps* to the next gzip member instead of inflating the record just to
  skip it; a record declaring more than ``max_decompressed_bytes`` at a compression ratio above
  100:1 is reported as ``decompression-bomb``, otherwise ``too-large``.
* **truncated**: FastWARC stops silently at a cut file.  A body shorter than its Content-Length, or
  a last record/gzip member that does not end, is reported as ``truncated`` (the records before
  are kept).  To do this each record's result is held back until the next record is reached.
* **corrupt**: when FastWARC raises in the middle of a file (gzip data error, broken header) the
  reader reports ``corrupt`` once, then scans forward for the next gzip member (``1f 8b 08``) or
  ``WARC/1.`` line and resumes there, so the records after the damage still come through.
* **not a WARC**: a file whose first record does not start with ``WARC/`` fails as ``not-warc``.

FastWARC 2.x is used rather than warcio because it is several times faster and reads gzip members
natively; warcio is not needed.  Records FastWARC cannot see at all (inside a damaged region) are
not reported individually, only the damaged region is.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from dateline.models import RawDocument
from dateline.sources.base import (
    BINARY,
    BOMB,
    CORRUPT,
    EMPTY,
    NOT_WARC,
    SKIP_HTTP_STATUS,
    SKIP_NOT_HTML,
    SKIP_NOT_HTTP,
    SKIP_RECORD_PREFIX,
    TOO_LARGE,
    TRUNCATED,
    UNREADABLE,
    UNSUPPORTED_ENCODING,
    LimitExceeded,
    Limits,
    SourceFailure,
    SourceItem,
    SourceSkip,
    inflate_bounded,
    looks_binary,
    looks_like_html,
)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
BOMB_RATIO = 100
"""Declared size / compressed size above which an oversized record counts as a bomb."""
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 20
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)")


@dataclass
class _Pending:
    """A record's result, held until the next record shows whether this one was complete."""

    item: SourceItem
    stream_pos: int
    source: str
    declared: int = 0
    oversized: bool = False


def iter_warc(path: str, limits: Limits) -> Iterator[SourceItem]:
    """Yield documents, skips and failures from one ``.warc`` or ``.warc.gz`` file."""
    try:
        size = os.path.getsize(path)
        f = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as e:
        yield SourceFailure(path, UNREADABLE, e.strerror or str(e))
        return
    with f:
        if size == 0:
            yield SourceFailure(path, EMPTY, "the file is empty")
            return
        try:
            head = f.read(4096)
        except OSError as e:
            yield SourceFailure(path, UNREADABLE, e.strerror or str(e))
            return
        gzipped = head.startswith(GZIP_MAGIC)
        problem = _check_start(head, gzipped)
        if problem:
            yield SourceFailure(path, NOT_WARC, problem)
            return
        yield from _WarcReader(path, f, size, gzipped, limits).run()


def _check_start(head: bytes, gzipped: bool) -> str | None:
    """Why the file does not start like a WARC, or None when it does."""
    if gzipped:
        try:
            start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error as e:
            return f"gzip data does not decompress: {e}"
    else:
        start = head
    if start.lstrip(b"\r\n").startswith(b"WARC/"):
        return None
    what = "gzip data that is not WARC" if gzipped else "neither gzip nor WARC"
    return f"{what} (starts with {start[:16]!r})"


class _WarcReader:
    """One WARC file's iteration state: hold-back, jumps over oversized records, resync."""

    def __init__(self, path: str, f: BinaryIO, size: int, gzipped: bool, limits: Limits) -> None:
        self.path = path
        self.f = f
        self.size = size
        self.gzipped = gzipped
        self.limits = limits

    def run(self) -> Iterator[SourceItem]:
        """Iterate the file; see the module docstring for the damage handling."""
        pos = 0  # where the current ArchiveIterator starts
        probing = False  # ``pos`` is a candidate offset found by scanning, not yet confirmed
        pending: _Pending | None = None
        last_pos = -1  # stream offset of the last record seen (offsets only grow)
        while True:
            self.f.seek(pos)
            records = iter(ArchiveIterator(self.f, parse_http=True, auto_decode="transfer"))
            got = False
            stop = "eof"
            error = ""
            while True:
                try:
                    rec = next(records)
                except StopIteration:
                    break
                except Exception as e:  # FastWARC raises OSError on damaged gzip or headers
                    stop, error = "error", str(e) or type(e).__name__
                    break
                if rec.stream_pos <= last_pos:  # defensive: never yield a record twice
                    continue
                got, probing = True, False
                if pending is not None:
                    yield self._finish(pending, rec.stream_pos)
                    pending = None
                last_pos = rec.stream_pos
                try:
                    pending = self._process(rec)
                except Exception as e:  # the body could not be read (damaged gzip member)
                    yield SourceFailure(self._source(rec), CORRUPT, f"record body unreadable: {e}")
                    stop = "reported"
                    break
                if pending.oversized and self.gzipped:
                    stop = "jump"  # do not inflate a record we will not use
                    break

            if probing and not got:
                nxt = self._scan(pos + 1)  # the candidate offset was not a record start
            elif stop == "eof":
                break
            else:
                nxt = self._scan(max(pos, last_pos) + 1)
                if stop == "error" and nxt is None and pending is not None:
                    # Damage running to the end of the file: usually a record cut mid-header.
                    yield from self._end(pending, error)
                    return
                if pending is not None and stop != "jump":
                    yield self._finish(pending, None)
                    pending = None
                if stop == "error":
                    yield SourceFailure(
                        self._source_at(last_pos),
                        CORRUPT,
                        f"damaged WARC data after the record at byte {max(last_pos, 0)}: {error}",
                    )
            if nxt is None:
                if pending is not None:
                    yield self._finish(pending, self.size)
                return
            pos, probing = nxt, True

        if pending is not None:
            yield from self._end(pending, None)

    def _end(self, pending: _Pending, error: str | None) -> Iterator[SourceItem]:
        """The file is over: settle the last record, checking the tail for a cut record.

        ``error`` is FastWARC's complaint when the iteration ended on damage rather than cleanly.
        """
        truncated_last, cut_at = self._tail(pending)
        if truncated_last and not isinstance(pending.item, SourceFailure):
            yield SourceFailure(pending.source, TRUNCATED, "the file ends inside this record")
            return
        yield self._finish(pending, self.size)
        if cut_at is not None:
            yield SourceFailure(
                f"{self.path}#@{cut_at}",
                TRUNCATED,
                f"the file ends inside a record starting at byte {cut_at}",
            )
        elif error is not None:
            yield SourceFailure(
                self._source_at(pending.stream_pos),
                CORRUPT,
                f"damaged WARC data after the record at byte {pending.stream_pos}: {error}",
            )

    # --- per record -------------------------------------------------------------------------

    def _source(self, rec: WarcRecord) -> str:
        rid = rec.record_id
        return f"{self.path}#{rid}" if rid else f"{self.path}#@{rec.stream_pos}"

    def _source_at(self, pos: int) -> str:
        return f"{self.path}#@{max(pos, 0)}"

    def _process(self, rec: WarcRecord) -> _Pending:
        src = self._source(rec)
        pos = rec.stream_pos
        declared = rec.content_length
        oversized = declared > self.limits.max_document_bytes

        def skip(reason: str) -> _Pending:
            return _Pending(SourceSkip(src, reason), pos, src, declared, oversized)

        if rec.record_type != WarcRecordType.response:
            return skip(SKIP_RECORD_PREFIX + _type_name(rec.record_type))
        if not rec.is_http:
            return skip(SKIP_NOT_HTTP)
        http = rec.http_headers
        status = http.status_code
        if status is None or not 200 <= status < 300:
            return skip(SKIP_HTTP_STATUS)
        ctype = (rec.http_content_type or "").strip().lower()
        if ctype and ctype not in HTML_TYPES:
            return skip(SKIP_NOT_HTML)
        if oversized:
            detail = f"declares {declared} bytes (limit {self.limits.max_document_bytes}); not read"
            return _Pending(SourceFailure(src, TOO_LARGE, detail), pos, src, declared, True)

        body = _read_exact(rec, declared)
        chunked = "chunked" in (http.get("Transfer-Encoding") or "").lower()
        if not chunked and len(body) < declared:
            detail = f"body has {len(body)} of {declared} bytes: the file ends inside this record"
            return _Pending(SourceFailure(src, TRUNCATED, detail), pos, src, declared)
        encoding = (http.get("Content-Encoding") or "").strip().lower()
        if encoding and encoding != "identity":
            try:
                body = _undo_content_encoding(body, encoding, self.limits)
            except LimitExceeded as e:
                return _Pending(SourceFailure(src, e.reason, f"Content-Encoding {encoding}: {e.detail}"), pos, src)
            except ValueError as e:
                return _Pending(SourceFailure(src, UNSUPPORTED_ENCODING, str(e)), pos, src)
        if not ctype and not looks_like_html(body):
            return skip(SKIP_NOT_HTML)
        if not body.strip():
            return _Pending(SourceFailure(src, EMPTY, "the HTTP payload is empty"), pos, src)
        if looks_binary(body[:4096]):
            return _Pending(SourceFailure(src, BINARY, "NUL bytes in an HTML payload"), pos, src)
        url = (rec.headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
        doc = RawDocument(
            source=src,
            kind="html",
            content=body,
            url=url,
            captured=rec.headers.get("WARC-Date") or None,
            charset=rec.http_charset or None,
        )
        return _Pending(doc, pos, src, declared)

    def _finish(self, p: _Pending, next_pos: int | None) -> SourceItem:
        """Settle a held-back result once the next record's offset is known."""
        if (
            p.oversized
            and self.gzipped
            and next_pos is not None
            and isinstance(p.item, SourceFailure)
            and p.declared > self.limits.max_decompressed_bytes
        ):
            compressed = max(next_pos - p.stream_pos, 1)
            if p.declared / compressed > BOMB_RATIO:
                return SourceFailure(
                    p.source,
                    BOMB,
                    f"declares {p.declared} bytes from {compressed} compressed bytes; not inflated",
                )
        return p.item

    # --- damage -----------------------------------------------------------------------------

    def _scan(self, start: int) -> int | None:
        """The next offset at or after ``start`` where a gzip member / WARC record may begin."""
        marker = GZIP_MAGIC if self.gzipped else WARC_MAGIC
        pos = start
        overlap = len(marker) - 1
        while pos < self.size:
            self.f.seek(pos)
            chunk = self.f.read(_SCAN_CHUNK)
            if not chunk:
                return None
            i = chunk.find(marker)
            if i >= 0:
                return pos + i
            if len(chunk) <= overlap:
                return None
            pos += len(chunk) - overlap
        return None

    def _tail(self, p: _Pending) -> tuple[bool, int | None]:
        """After a clean end: is the last record cut, or is there a cut record after it?

        Returns ``(last_record_truncated, offset_of_a_later_cut_record)``.
        """
        if p.oversized:
            return False, None
        try:
            cut = self._gz_cut(p.stream_pos) if self.gzipped else self._plain_cut(p.stream_pos)
        except OSError:
            return False, None
        if cut is None:
            return False, None
        if cut == p.stream_pos:
            return True, None
        return False, cut

    def _gz_cut(self, start: int) -> int | None:
        """Offset of a gzip member that the file ends inside, scanning from ``start``."""
        self.f.seek(start)
        pos = start
        member_start = start
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        in_member = False
        while True:
            data = self.f.read(_SCAN_CHUNK)
            if not data:
                break
            while data:
                if not in_member:
                    if not data.strip(b"\x00\r\n"):
                        pos += len(data)
                        break
                    member_start, in_member = pos, True
                try:
                    d.decompress(data, _SCAN_CHUNK)
                except zlib.error:
                    return None  # not a cut; damage FastWARC already reported or ignored
                if d.eof:
                    used = len(data) - len(d.unused_data)
                    pos += used
                    data = d.unused_data
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    in_member = False
                elif d.unconsumed_tail:
                    pos += len(data) - len(d.unconsumed_tail)
                    data = d.unconsumed_tail
                else:
                    pos += len(data)
                    data = b""
        return member_start if in_member else None

    def _plain_cut(self, start: int) -> int | None:
        """Offset of a record that the (uncompressed) file ends inside, scanning from ``start``."""
        self.f.seek(start)
        head = self.f.read(64 * 1024)
        end_of_headers = head.find(b"\r\n\r\n")
        if end_of_headers < 0:
            return start
        m = _CONTENT_LENGTH.search(head[:end_of_headers])
        if not m:
            return None
        end = start + end_of_headers + 4 + int(m.group(1))
        if end > self.size:
            return start
        self.f.seek(end)
        rest = self.f.read(64 * 1024)
        stripped = rest.lstrip(b"\r\n")
        if stripped and (stripped.startswith(b"WARC/") or b"WARC/".startswith(stripped)):
            return end + len(rest) - len(stripped)
        return None


def _type_name(t: WarcRecordType) -> str:
    name = getattr(t, "name", None)
    return str(name or t).lower()


def _read_exact(rec: WarcRecord, n: int) -> bytes:
    """Read up to ``n`` payload bytes (fewer only when the record is cut short)."""
    parts: list[bytes] = []
    got = 0
    reader = rec.reader
    while got < n:
        chunk = reader.read(min(n - got, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _undo_content_encoding(body: bytes, encoding: str, limits: Limits) -> bytes:
    """Undo gzip/deflate Content-Encoding with the limits; ValueError for other codings."""
    if encoding in ("gzip", "x-gzip"):
        return inflate_bounded(iter([body]), limits)
    if encoding == "deflate":
        try:
            return inflate_bounded(iter([body]), limits, wbits=zlib.MAX_WBITS)
        except LimitExceeded as e:
            if e.reason != CORRUPT:
                raise
            return inflate_bounded(iter([body]), limits, wbits=-zlib.MAX_WBITS)  # raw deflate
    raise ValueError(f"Content-Encoding {encoding!r} is not supported")

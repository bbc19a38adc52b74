"""Shared pieces of the sources layer: result types, limits, reason keys and small helpers.

Kept apart from ``dateline/sources/__init__.py`` so that the per-format readers (``files``,
``warc``, ``jsonl``) can import them without a circular import; the package re-exports them.

Reason keys are short and stable because run summaries count them; the human explanation goes in
``detail``.  Failures (:class:`SourceFailure`) are inputs we *should* have been able to read but
could not; skips (:class:`SourceSkip`) are records that are simply not documents we process.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO

from dateline.models import DocumentKind, RawDocument


@dataclass(frozen=True)
class SourceFailure:
    """A document that could not be read: where, a short reason key, and the explanation."""

    source: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class SourceSkip:
    """A record that is not a document we process (WARC request/metadata record, image, PDF …)."""

    source: str
    reason: str


@dataclass(frozen=True)
class Limits:
    """Bounds on what one document may cost."""

    max_document_bytes: int = 20 * 1024 * 1024
    """Larger pages (after decompression) are rejected as ``too-large``."""
    max_decompressed_bytes: int = 64 * 1024 * 1024
    """A compressed input expanding past this is rejected as ``decompression-bomb``."""
    max_jsonl_line_bytes: int = 32 * 1024 * 1024
    """A JSONL line longer than this is rejected as ``too-large`` (without holding it in memory)."""


SourceItem = RawDocument | SourceFailure | SourceSkip
"""What :func:`dateline.sources.iter_inputs` yields."""

# --- failure reason keys -------------------------------------------------------------------
NOT_FOUND = "not-found"  # path or glob matches nothing
UNREADABLE = "unreadable"  # OS error: permissions, a directory loop, an I/O error
EMPTY = "empty"  # zero bytes (or only whitespace for a JSONL content field)
TOO_LARGE = "too-large"  # over Limits.max_document_bytes / max_jsonl_line_bytes
BOMB = "decompression-bomb"  # compressed data expanding past Limits.max_decompressed_bytes
BINARY = "binary"  # sniffed as binary (NUL bytes), not text or HTML
TRUNCATED = "truncated"  # file ends inside a record / gzip member
CORRUPT = "corrupt"  # damaged data in the middle of a file (gzip data error, broken WARC header)
NOT_WARC = "not-warc"  # a .warc/.warc.gz whose start is not a WARC record
NOT_GZIP = "not-gzip"  # a .gz file that is not gzip
UNSUPPORTED_ENCODING = "unsupported-encoding"  # HTTP Content-Encoding we cannot undo (br, zstd)
BAD_JSON = "bad-json"  # a JSONL line that is not a JSON object
MISSING_FIELD = "missing-field"  # a JSONL object without url or html/text/body
BAD_FIELD = "bad-field"  # a JSONL field of the wrong type

FAILURE_REASONS = frozenset(
    {
        NOT_FOUND,
        UNREADABLE,
        EMPTY,
        TOO_LARGE,
        BOMB,
        BINARY,
        TRUNCATED,
        CORRUPT,
        NOT_WARC,
        NOT_GZIP,
        UNSUPPORTED_ENCODING,
        BAD_JSON,
        MISSING_FIELD,
        BAD_FIELD,
    }
)

# --- skip reason keys ----------------------------------------------------------------------
SKIP_EXTENSION = "unsupported-extension"  # a file met in a directory walk / glob with an unknown extension
SKIP_NOT_HTML = "not-html"  # a WARC response whose payload is not HTML
SKIP_HTTP_STATUS = "http-status"  # a WARC response with a non-2xx status
SKIP_NOT_HTTP = "not-http"  # a WARC response that is not an HTTP response (dns:, ftp:)
SKIP_RECORD_PREFIX = "warc-"  # + record type: warc-request, warc-metadata, warc-warcinfo, warc-revisit …


def iso_utc(ts: float) -> str:
    """A POSIX timestamp as ISO-8601 UTC with a ``Z`` suffix, to the second."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def looks_binary(head: bytes) -> bool:
    """True when a file's first bytes cannot be text: a NUL byte outside a UTF-16/32 BOM'd file.

    Deliberately stricter than the decoder's check (which also counts control bytes): sources fail
    early only on the unambiguous case and leave the rest to :func:`dateline.extract.decode`.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    return b"\x00" in head


def sniff_kind(head: bytes) -> DocumentKind:
    """``html`` when the content starts (after a BOM and whitespace) with ``<``, else ``text``."""
    h = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return "html" if h.startswith(b"<") else "text"


def looks_like_html(head: bytes) -> bool:
    """Sniff HTML in a payload without a Content-Type: a doctype or an ``<html``/``<head``/``<body`` tag."""
    h = head[:2048].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if h.startswith((b"<!doctype html", b"<html")):
        return True
    return h.startswith(b"<") and any(tag in h for tag in (b"<html", b"<head", b"<body"))


class LimitExceeded(Exception):
    """Raised by :func:`inflate_bounded`: the output passed a limit.  ``reason`` is a failure key."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def _chunks(stream: BinaryIO, size: int = 64 * 1024) -> Iterator[bytes]:
    while True:
        chunk = stream.read(size)
        if not chunk:
            return
        yield chunk


def inflate_bounded(compressed: Iterator[bytes] | BinaryIO, limits: Limits, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """Decompress gzip (or, with other ``wbits``, zlib/deflate) data, never holding more than
    ``limits.max_document_bytes`` of output.

    Concatenated gzip members are all decompressed.  Raises :class:`LimitExceeded` with
    ``too-large`` when the output exceeds ``max_document_bytes`` but stays under
    ``max_decompressed_bytes`` (output past the document limit is counted, not kept), with
    ``decompression-bomb`` past ``max_decompressed_bytes``, with ``truncated`` when the data ends
    inside a member and ``corrupt`` on a data error.
    """
    chunks = compressed if isinstance(compressed, Iterator) else _chunks(compressed)
    out: list[bytes] = []
    kept = 0  # bytes held in ``out``; max_document_bytes + 1 once over the limit
    total = 0
    d = zlib.decompressobj(wbits)
    in_member = False

    def take(piece: bytes) -> None:
        nonlocal kept, total
        total += len(piece)
        if total > limits.max_decompressed_bytes:
            raise LimitExceeded(BOMB, f"expands past {limits.max_decompressed_bytes} bytes")
        if kept + len(piece) <= limits.max_document_bytes:
            out.append(piece)
            kept += len(piece)
        else:
            kept = limits.max_document_bytes + 1
            out.clear()

    try:
        for chunk in chunks:
            data = chunk
            while data:
                if not in_member and not data.strip(b"\x00"):
                    break  # NUL padding after the last member
                in_member = True
                take(d.decompress(data, 256 * 1024))
                data = d.unconsumed_tail
                if d.eof:
                    data = d.unused_data + data
                    d = zlib.decompressobj(wbits)
                    in_member = False
        if in_member:
            take(d.flush())
    except zlib.error as e:
        raise LimitExceeded(CORRUPT, f"compressed data error: {e}") from e
    if in_member and not d.eof:
        raise LimitExceeded(TRUNCATED, "compressed data ends inside a gzip member")
    if kept > limits.max_document_bytes:
        raise LimitExceeded(TOO_LARGE, f"decompresses to {total} bytes (limit {limits.max_document_bytes})")
    return b"".join(out)

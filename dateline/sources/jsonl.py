"""JSON lines: one document per line, streamed (a line is never read past the line limit).

Each line is an object with ``url`` and one content field:

* ``html`` → kind ``html`` (a page to extract),
* ``text`` → kind ``text`` (flattened page text, to clean),
* ``body`` → kind ``body`` (already-clean article text, taken verbatim).

When a line carries more than one, ``body`` wins over ``html`` over ``text`` (the most processed
form the user supplied).  Optional: ``id`` (string or number → ``RawDocument.source_id``),
``title``/``published``/``outlet`` (strings → ``hints``) and ``captured`` (→ ``captured``).
``null`` optional fields are ignored; other wrong types fail the line as ``bad-field``.

Each document's ``source`` is ``<file>:<line number>`` (1-based, counting blank lines, which are
skipped).  A line that is not valid UTF-8 is still parsed (undecodable bytes kept as surrogate
escapes) and its content handed over as *bytes*, so the decoder deals with it and records a
warning, as for any page; a valid line's content is handed over as ``str``.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import IO, Any

from dateline.models import DocumentKind, RawDocument
from dateline.sources.base import (
    BAD_FIELD,
    BAD_JSON,
    CORRUPT,
    EMPTY,
    MISSING_FIELD,
    NOT_GZIP,
    TOO_LARGE,
    TRUNCATED,
    UNREADABLE,
    Limits,
    SourceFailure,
    SourceItem,
)

CONTENT_FIELDS: tuple[tuple[str, DocumentKind], ...] = (("body", "body"), ("html", "html"), ("text", "text"))
HINT_FIELDS = ("title", "published", "outlet")


def iter_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line_number, line)`` with ``line`` None for lines longer than ``limit``.

    A long line is read through in 1 MiB pieces and dropped, so memory stays bounded.
    """
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def iter_jsonl(
    stream: IO[bytes], name: str, limits: Limits, captured_default: str | None = None
) -> Iterator[SourceItem]:
    """Parse a JSONL byte stream into documents and per-line failures.

    A stream that breaks off (a cut ``.jsonl.gz``, a gzip data error, an I/O error) ends with one
    failure naming the line it was reading; the lines before it are kept.  A stream holding no
    non-blank line yields one ``empty`` failure.
    """
    number = 0
    seen = False
    try:
        for number, line in iter_lines(stream, limits.max_jsonl_line_bytes):
            source = f"{name}:{number}"
            if line is None:
                seen = True
                yield SourceFailure(source, TOO_LARGE, f"line longer than {limits.max_jsonl_line_bytes} bytes")
                continue
            if not line.strip():
                continue
            seen = True
            yield parse_line(line, source, limits, captured_default)
    except EOFError as e:
        yield SourceFailure(f"{name}:{number + 1}", TRUNCATED, f"compressed stream ends early: {e}")
        return
    except (zlib.error, gzip.BadGzipFile) as e:
        reason = NOT_GZIP if number == 0 and isinstance(e, gzip.BadGzipFile) else CORRUPT
        yield SourceFailure(f"{name}:{number + 1}", reason, f"compressed data error: {e}")
        return
    except OSError as e:
        yield SourceFailure(f"{name}:{number + 1}", UNREADABLE, e.strerror or str(e))
        return
    if not seen:
        yield SourceFailure(name, EMPTY, "no JSON lines")


def parse_line(line: bytes, source: str, limits: Limits, captured_default: str | None = None) -> SourceItem:
    """One JSONL line → a :class:`RawDocument` or a :class:`SourceFailure` naming the line."""
    try:
        text = line.decode("utf-8")
        valid_utf8 = True
    except UnicodeDecodeError:
        text = line.decode("utf-8", "surrogateescape")
        valid_utf8 = False
    try:
        obj: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        return SourceFailure(source, BAD_JSON, f"not JSON: {e}")
    if not isinstance(obj, dict):
        return SourceFailure(source, BAD_JSON, f"a JSON {type(obj).__name__}, not an object")

    url = obj.get("url")
    if url is None or url == "":
        return SourceFailure(source, MISSING_FIELD, "no 'url'")
    if not isinstance(url, str):
        return SourceFailure(source, BAD_FIELD, f"'url' is a {type(url).__name__}, not a string")

    found = [(key, kind) for key, kind in CONTENT_FIELDS if obj.get(key) is not None]
    if not found:
        return SourceFailure(source, MISSING_FIELD, "none of 'html', 'text' or 'body'")
    key, kind = found[0]
    value = obj[key]
    if not isinstance(value, str):
        return SourceFailure(source, BAD_FIELD, f"'{key}' is a {type(value).__name__}, not a string")
    if not value.strip():
        return SourceFailure(source, EMPTY, f"'{key}' is empty")
    content: bytes | str = value if valid_utf8 else value.encode("utf-8", "surrogateescape")
    size = len(content) if isinstance(content, bytes) else len(value.encode("utf-8", "surrogatepass"))
    if size > limits.max_document_bytes:
        return SourceFailure(source, TOO_LARGE, f"'{key}' is {size} bytes (limit {limits.max_document_bytes})")

    source_id = obj.get("id")
    if source_id is not None:
        if isinstance(source_id, bool) or not isinstance(source_id, (str, int)):
            return SourceFailure(source, BAD_FIELD, "'id' must be a string or an integer")
        source_id = str(source_id)
    hints: dict[str, str] = {}
    for field in HINT_FIELDS:
        v = obj.get(field)
        if v is None:
            continue
        if not isinstance(v, str):
            return SourceFailure(source, BAD_FIELD, f"'{field}' is a {type(v).__name__}, not a string")
        if v.strip():
            hints[field] = v
    captured = obj.get("captured")
    if captured is not None and not isinstance(captured, str):
        return SourceFailure(source, BAD_FIELD, f"'captured' is a {type(captured).__name__}, not a string")
    return RawDocument(
        source=source,
        kind=kind,
        content=content,
        url=url,
        captured=captured or captured_default,
        source_id=source_id,
        hints=hints,
    )

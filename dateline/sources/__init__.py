"""Sources: turn input paths into a stream of :class:`RawDocument` (or failures), never loading a
whole archive into memory.

``iter_inputs(paths, limits)`` yields ``RawDocument`` for each document, ``SourceFailure`` for
each document (or part of a file) that could not be read, and ``SourceSkip`` for records that are
not documents, so that one bad input never stops a batch.  Each document is yielded exactly once,
in a deterministic order: arguments in the order given, directory and glob contents sorted, records
and lines in file order.

Formats and their decisions are documented in the modules: :mod:`dateline.sources.files` (paths,
plain pages, unknown extensions), :mod:`dateline.sources.warc` (WARC), :mod:`dateline.sources.jsonl`
(JSON lines).  Reason keys are the constants in :mod:`dateline.sources.base`.

**stdin** (``-``): if the first non-whitespace byte is ``{`` the stream is read as JSONL (streamed,
sources ``<stdin>:<line>``); otherwise it is one document (source ``<stdin>``, at most
``max_document_bytes``), HTML if it starts with ``<``, else text.  ``captured`` is None for stdin.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
from collections.abc import Iterator, Sequence
from typing import IO, cast

from dateline.sources.base import (
    EMPTY,
    FAILURE_REASONS,
    TOO_LARGE,
    UNREADABLE,
    Limits,
    SourceFailure,
    SourceItem,
    SourceSkip,
    iso_utc,
)
from dateline.sources.files import InputFile, expand_paths, make_document, read_plain
from dateline.sources.jsonl import iter_jsonl
from dateline.sources.warc import iter_warc

__all__ = [
    "DEFAULT_LIMITS",
    "FAILURE_REASONS",
    "Limits",
    "SourceFailure",
    "SourceItem",
    "SourceSkip",
    "iter_inputs",
]

STDIN_NAME = "<stdin>"
DEFAULT_LIMITS = Limits()
_PEEK_BYTES = 64 * 1024


def iter_inputs(
    paths: Sequence[str], limits: Limits = DEFAULT_LIMITS, *, stdin: IO[bytes] | None = None
) -> Iterator[SourceItem]:
    """Yield every document, failure and skip that ``paths`` name.

    ``paths`` holds files, directories (walked recursively, sorted), glob patterns and ``-`` for
    standard input (``stdin`` overrides ``sys.stdin.buffer``, for tests).  Never raises for bad
    input: each problem is a :class:`SourceFailure` naming the document and a reason key.
    """
    if isinstance(paths, str):  # a lone path, not a sequence of one-character paths
        paths = [paths]
    for item in expand_paths(tuple(paths)):
        if not isinstance(item, InputFile):
            yield item
        elif item.path == "-":
            yield from _iter_stdin(stdin if stdin is not None else sys.stdin.buffer, limits)
        elif item.format == "warc":
            yield from iter_warc(item.path, limits)
        elif item.format == "jsonl":
            yield from _iter_jsonl_file(item, limits)
        else:
            yield read_plain(item, limits)


def _iter_jsonl_file(item: InputFile, limits: Limits) -> Iterator[SourceItem]:
    path = item.path
    try:
        st = os.stat(path)
        f = cast(IO[bytes], gzip.open(path, "rb")) if item.gzipped else open(path, "rb")  # noqa: SIM115
    except OSError as e:
        yield SourceFailure(path, UNREADABLE, e.strerror or str(e))
        return
    with f:
        if st.st_size == 0:
            yield SourceFailure(path, EMPTY, "the file is empty")
            return
        yield from iter_jsonl(f, path, limits, captured_default=iso_utc(st.st_mtime))


class _Chain(io.RawIOBase):
    """Bytes already read from a stream, followed by the rest of it (stdin cannot seek back)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def _iter_stdin(stream: IO[bytes], limits: Limits) -> Iterator[SourceItem]:
    try:
        head = stream.read(_PEEK_BYTES)
        if head.lstrip().startswith(b"{"):
            yield from iter_jsonl(io.BufferedReader(_Chain(head, stream)), STDIN_NAME, limits)
            return
        data = head + stream.read(limits.max_document_bytes + 1 - len(head))
    except OSError as e:
        yield SourceFailure(STDIN_NAME, UNREADABLE, e.strerror or str(e))
        return
    if not data:
        yield SourceFailure(STDIN_NAME, EMPTY, "nothing on standard input")
        return
    if len(data) > limits.max_document_bytes:
        yield SourceFailure(STDIN_NAME, TOO_LARGE, f"over {limits.max_document_bytes} bytes")
        return
    yield make_document(STDIN_NAME, "sniff", data, None, limits)

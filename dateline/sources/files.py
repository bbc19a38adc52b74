"""Plain files and path expansion: which files an input list names, and reading single pages.

Decisions:

* **Kinds follow the extension**: ``.html``/``.htm``/``.xhtml`` → ``html``; ``.txt`` → ``text``
  (flattened page text, may still hold boilerplate); ``.warc``/``.warc.gz`` → WARC;
  ``.jsonl``/``.jsonl.gz`` → JSON lines.  ``.html.gz``/``.htm.gz``/``.txt.gz`` are decompressed with
  a bound (:func:`dateline.sources.base.inflate_bounded`).
* **Directories** are walked recursively in sorted order (names compared as strings at each
  level), hidden entries (``.git``, ``.DS_Store``) are passed over silently, symlinked directories
  are not followed (no loops), and files with an unknown extension yield a :class:`SourceSkip`
  ``unsupported-extension``.  **Globs** (``*``, ``?``, ``[``) expand sorted and their matches are
  treated like directory entries (so ``data/*`` skips a README rather than ingesting it).
* A file **named explicitly** with an unknown extension (or none) is sniffed: a NUL byte in the
  first 4 KiB fails it as ``binary``; content starting with ``<`` (after a BOM and whitespace) is
  HTML, anything else is text.  Naming a file is taken as intent to ingest it.
* Arguments are processed in the order given; the same file reached twice (named and inside a
  named directory, or through a symlink) is read once, the first time.
* ``captured`` of a plain file is its modification time (ISO-8601 UTC); ``url`` is None.
* Sizes are checked from ``stat`` before reading, so a 50 MB page is refused without being read.
  Empty files fail as ``empty`` rather than reaching extraction.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from dateline.models import DocumentKind, RawDocument
from dateline.sources.base import (
    BINARY,
    EMPTY,
    NOT_FOUND,
    NOT_GZIP,
    SKIP_EXTENSION,
    TOO_LARGE,
    UNREADABLE,
    LimitExceeded,
    Limits,
    SourceFailure,
    SourceItem,
    SourceSkip,
    inflate_bounded,
    iso_utc,
    looks_binary,
    sniff_kind,
)

FileFormat = Literal["html", "text", "warc", "jsonl", "sniff"]

_SUFFIXES: tuple[tuple[str, FileFormat, bool], ...] = (
    (".warc.gz", "warc", False),  # fastwarc reads gzip itself, member by member
    (".jsonl.gz", "jsonl", True),
    (".html.gz", "html", True),
    (".htm.gz", "html", True),
    (".txt.gz", "text", True),
    (".html", "html", False),
    (".htm", "html", False),
    (".xhtml", "html", False),
    (".txt", "text", False),
    (".warc", "warc", False),
    (".jsonl", "jsonl", False),
)
_GLOB_CHARS = frozenset("*?[")
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class InputFile:
    """One file to read: its path (as it will be named in ``source``), format and compression."""

    path: str
    format: FileFormat
    gzipped: bool = False


def classify(path: str) -> tuple[FileFormat, bool] | None:
    """The format and gzip flag a file name implies, or None for an unknown extension."""
    name = os.path.basename(path).lower()
    for suffix, fmt, gz in _SUFFIXES:
        if name.endswith(suffix):
            return fmt, gz
    return None


def expand_paths(paths: list[str] | tuple[str, ...]) -> Iterator[InputFile | SourceFailure | SourceSkip]:
    """Expand input arguments into files to read, failures (missing paths) and skips.

    ``-`` is passed through as ``InputFile("-", "sniff")``; the caller reads stdin.
    """
    seen: set[str] = set()

    def once(path: str) -> bool:
        try:
            key = os.path.realpath(path)
        except (OSError, ValueError):
            key = path
        if key in seen:
            return False
        seen.add(key)
        return True

    for arg in paths:
        if arg == "-":
            yield InputFile("-", "sniff")
            continue
        if os.path.isdir(arg):
            yield from _walk(arg, once)
        elif os.path.lexists(arg):
            if once(arg):
                kind = classify(arg)
                yield InputFile(arg, kind[0], kind[1]) if kind else InputFile(arg, "sniff")
        elif _GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                yield SourceFailure(arg, NOT_FOUND, "the pattern matches no file")
            for m in matches:
                if os.path.isdir(m):
                    yield from _walk(m, once)
                elif once(m):
                    yield _entry(m)
        else:
            yield SourceFailure(arg, NOT_FOUND, "no such file or directory")


def _entry(path: str) -> InputFile | SourceSkip:
    kind = classify(path)
    if kind is None:
        return SourceSkip(path, SKIP_EXTENSION)
    return InputFile(path, kind[0], kind[1])


def _walk(root: str, once: Callable[[str], bool]) -> Iterator[InputFile | SourceFailure | SourceSkip]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        yield SourceFailure(root, UNREADABLE, f"cannot list directory: {e.strerror or e}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(entry.path, once)
        elif once(entry.path):
            yield _entry(entry.path)


def read_plain(item: InputFile, limits: Limits) -> SourceItem:
    """Read one page file (html/text, maybe gzipped, or sniffed) into a :class:`RawDocument`."""
    path = item.path
    try:
        st = os.stat(path)
    except OSError as e:
        return SourceFailure(path, UNREADABLE, e.strerror or str(e))
    if not stat.S_ISREG(st.st_mode):
        return SourceFailure(path, UNREADABLE, "not a regular file")
    if st.st_size == 0:
        return SourceFailure(path, EMPTY, "the file is empty")
    if not item.gzipped and st.st_size > limits.max_document_bytes:
        return SourceFailure(path, TOO_LARGE, f"{st.st_size} bytes (limit {limits.max_document_bytes}); not read")
    try:
        with open(path, "rb") as f:
            if item.gzipped:
                if f.read(2) != b"\x1f\x8b":
                    return SourceFailure(path, NOT_GZIP, "named .gz but is not gzip data")
                f.seek(0)
                try:
                    data = inflate_bounded(f, limits)
                except LimitExceeded as e:
                    return SourceFailure(path, e.reason, e.detail)
            else:
                data = f.read(limits.max_document_bytes + 1)
    except OSError as e:
        return SourceFailure(path, UNREADABLE, e.strerror or str(e))
    return make_document(path, item.format, data, iso_utc(st.st_mtime), limits)


def make_document(source: str, fmt: FileFormat, data: bytes, captured: str | None, limits: Limits) -> SourceItem:
    """Checks shared by files and stdin: size, emptiness, binary sniff; then the RawDocument."""
    if len(data) > limits.max_document_bytes:
        return SourceFailure(source, TOO_LARGE, f"over {limits.max_document_bytes} bytes")
    if not data.strip():
        return SourceFailure(source, EMPTY, "no content (only whitespace)")
    head = data[:SNIFF_BYTES]
    if looks_binary(head):
        return SourceFailure(source, BINARY, "NUL bytes in the first 4 KiB: not a text or HTML file")
    kind: DocumentKind
    if fmt == "html":
        kind = "html"
    elif fmt == "text":
        kind = "text"
    else:
        kind = sniff_kind(head)
    return RawDocument(source=source, kind=kind, content=data, captured=captured)

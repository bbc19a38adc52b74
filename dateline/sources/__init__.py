"""Sources: turn input paths into a stream of :class:`RawDocument` (or failures), never loading a
whole archive into memory.

``iter_inputs(paths, limits)`` yields ``RawDocument`` for each document and ``SourceFailure`` for
each document (or part of a file) that could not be read, so that one bad input never stops a batch.
"""

from __future__ import annotations

from dataclasses import dataclass


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

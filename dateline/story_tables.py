"""The story index as tables, read a few keys at a time: what lets an update skip reloading everything.

A :class:`dateline.story_cluster.StoryIndex` keeps four kinds of rows, and an update reads only the
rows its new articles need (the posting lists of their terms, the candidate stories, the
duplicate-index bands of their signatures):

* ``postings``  (term, packed postings) — a term's postings in processing order as
  :data:`POSTING` records (article seq, story key, day, weight), in rows appended by successive
  runs: a rebuild writes one row per term (its most recent ``postings_cap`` postings, the only ones
  clustering reads), an update appends a row of the new ones, and after a few rows the term is
  rewritten as one row again; headline terms carry a ``^`` prefix;
* ``stories``   (story key, story id, n, sumsq, lo, hi, centroid terms, centroid weights) — one row
  per story: its key (the seq of its first article), size, centroid norm², dated range and centroid
  (term -> summed weight), encoded by :func:`encode_centroid` so that a reader decodes only the
  centroids it scores;
* ``bands``     (key, article) — MinHash-LSH band keys of articles with a signature;
* ``signatures``(article, signature, canonical, story) — for near-duplicate verification.

:class:`StoryTables` is what a store offers (SQLite: :mod:`dateline.storage.story_sql`; memory:
:class:`MemoryStoryTables`); :class:`IndexDelta` is what one update adds or changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np

POSTING = np.dtype([("seq", "<i4"), ("story", "<i4"), ("day", "<i4"), ("weight", "<f8")])
"""One packed posting (20 bytes): the article's seq, its story's key, its day ordinal
(:data:`NO_DAY` when undated) and the term's weight in the article's vector."""
NO_DAY = -1
TermRow = tuple[str, bytes]
"""(term, some of its postings as packed :data:`POSTING` records, oldest first)."""
StoryRow = tuple[int, str, int, float, int | None, int | None, str, bytes]
"""(story key = first article's seq, story id, articles, centroid norm², first dated day, last dated
day, centroid terms and weights as :func:`encode_centroid` makes them)."""
SignatureRow = tuple[str, str, str | None, str]
"""(article id, encoded MinHash, canonical article id or None, story id)."""
K = TypeVar("K")


def encode_centroid(centroid: dict[str, float]) -> tuple[str, bytes]:
    """A centroid as (its terms, a JSON array; their weights, float64 in the same order)."""
    weights = np.fromiter(centroid.values(), dtype="<f8", count=len(centroid)).tobytes()
    return json.dumps(list(centroid), ensure_ascii=False), weights


def decode_centroid(terms: str, weights: bytes) -> dict[str, float]:
    """Inverse of :func:`encode_centroid` (the same floats: float64 both ways)."""
    return dict(zip(json.loads(terms), np.frombuffer(weights, dtype="<f8").tolist(), strict=True))


@dataclass
class IndexDelta:
    """Rows one update adds (posting rows, bands, signatures) or overwrites (stories); the posting
    rows of ``replace_terms`` are dropped before its posting rows are added."""

    meta: str = ""
    postings: list[TermRow] = field(default_factory=list)
    replace_terms: list[str] = field(default_factory=list)
    stories: list[StoryRow] = field(default_factory=list)
    bands: list[tuple[int, str]] = field(default_factory=list)
    signatures: list[SignatureRow] = field(default_factory=list)


class StoryTables(Protocol):
    """Keyed reads of a stored story index."""

    def meta(self) -> str | None:
        """The index header (JSON: version, config, seq), or None when nothing is stored."""
        ...

    def postings(self, terms: Sequence[str]) -> list[TermRow]:
        """The posting rows of these terms, each term's in the order they were added."""
        ...

    def stories(self, keys: Sequence[int]) -> list[StoryRow]:
        """The story rows of these story keys."""
        ...

    def bands(self, keys: Sequence[int]) -> list[tuple[int, str]]:
        """(key, article id) rows of these band keys."""
        ...

    def signatures(self, article_ids: Sequence[str]) -> list[SignatureRow]:
        """Signature rows of these articles."""
        ...


class MemoryStoryTables:
    """:class:`StoryTables` in dictionaries (the memory store's)."""

    def __init__(self) -> None:
        self._meta: str | None = None
        self._postings: dict[str, list[bytes]] = {}
        self._stories: dict[int, StoryRow] = {}
        self._bands: dict[int, list[str]] = defaultdict(list)
        self._signatures: dict[str, SignatureRow] = {}

    def meta(self) -> str | None:
        """The saved header."""
        return self._meta

    def postings(self, terms: Sequence[str]) -> list[TermRow]:
        """The posting rows of these terms."""
        return [(t, row) for t in terms for row in self._postings.get(t, ())]

    def stories(self, keys: Sequence[int]) -> list[StoryRow]:
        """Story rows of these keys."""
        return [self._stories[k] for k in keys if k in self._stories]

    def bands(self, keys: Sequence[int]) -> list[tuple[int, str]]:
        """Band rows of these keys."""
        return [(k, a) for k in keys for a in self._bands.get(k, ())]

    def signatures(self, article_ids: Sequence[str]) -> list[SignatureRow]:
        """Signature rows of these articles."""
        return [self._signatures[a] for a in article_ids if a in self._signatures]

    def apply(self, delta: IndexDelta, replace: bool = False) -> None:
        """Add and overwrite the delta's rows (``replace``: start from empty tables)."""
        if replace:
            self.__init__()  # type: ignore[misc]
        self._meta = delta.meta
        for term in delta.replace_terms:
            self._postings.pop(term, None)
        for term, row in delta.postings:
            self._postings.setdefault(term, []).append(row)
        self._stories.update((row[0], row) for row in delta.stories)
        for key, article in delta.bands:
            self._bands[key].append(article)
        self._signatures.update((row[0], row) for row in delta.signatures)


def chunks(items: Iterable[K], size: int = 500) -> Iterable[list[K]]:
    """Split keys into lists small enough for one SQL ``IN (...)``."""
    keys = list(items)
    for start in range(0, len(keys), size):
        yield keys[start : start + size]

"""The story index as tables, read a few keys at a time: what lets an update skip reloading everything.

A :class:`dateline.story_cluster.StoryIndex` keeps five kinds of rows, and an update reads only the
rows its new articles need (the most recent postings of their terms, the centroid weights of
the candidate stories, the statistics of the
stories they meet, the duplicate-index bands of their signatures):

* ``postings``  (term, article, story, weight, day) — one row per term of an article's vector;
  headline terms carry a ``^`` prefix; clustering reads only the most recent few hundred per term;
* ``centroids`` (term, story, weight) — the sum of a story's article vectors, per term;
* ``stats``     (story, first_seq, n, sumsq, lo, hi) — order, size, centroid norm², dated range;
* ``bands``     (key, article) — MinHash-LSH band keys of articles with a signature;
* ``signatures``(article, signature, canonical, story) — for near-duplicate verification.

:class:`StoryTables` is what a store offers (SQLite: :mod:`dateline.storage.story_sql`; memory:
:class:`MemoryStoryTables`); :class:`IndexDelta` is what one update adds or changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

Posting = tuple[str, str, str, float, int | None]
"""(term, article id, story id, weight, day ordinal or None)."""
Centroid = tuple[str, str, float]
"""(term, story id, summed weight)."""
StatRow = tuple[str, int, int, float, int | None, int | None]
"""(story id, first article's seq, articles, centroid norm², first dated day, last dated day)."""
SignatureRow = tuple[str, str, str | None, str]
"""(article id, encoded MinHash, canonical article id or None, story id)."""


@dataclass
class IndexDelta:
    """Rows one update adds (postings, bands, signatures) or overwrites (centroids, stats)."""

    meta: str = ""
    postings: list[Posting] = field(default_factory=list)
    centroids: list[Centroid] = field(default_factory=list)
    stats: list[StatRow] = field(default_factory=list)
    bands: list[tuple[str, str]] = field(default_factory=list)
    signatures: list[SignatureRow] = field(default_factory=list)


class StoryTables(Protocol):
    """Keyed reads of a stored story index."""

    def meta(self) -> str | None:
        """The index header (JSON: version, config, seq), or None when nothing is stored."""
        ...

    def postings(self, terms: Sequence[str], limit: int) -> list[Posting]:
        """The last ``limit`` postings (in insertion order) of each of these terms, oldest first."""
        ...

    def centroid_cells(self, terms: Sequence[str], story_ids: Sequence[str]) -> list[Centroid]:
        """Centroid weights of these terms in these stories (cells that exist)."""
        ...

    def stats(self, story_ids: Sequence[str]) -> list[StatRow]:
        """Statistics of these stories."""
        ...

    def bands(self, keys: Sequence[str]) -> list[tuple[str, str]]:
        """(key, article id) rows of these band keys."""
        ...

    def signatures(self, article_ids: Sequence[str]) -> list[SignatureRow]:
        """Signature rows of these articles."""
        ...


class MemoryStoryTables:
    """:class:`StoryTables` in dictionaries (the memory store's)."""

    def __init__(self) -> None:
        self._meta: str | None = None
        self._postings: dict[str, list[Posting]] = defaultdict(list)
        self._centroids: dict[str, dict[str, float]] = defaultdict(dict)
        self._stats: dict[str, StatRow] = {}
        self._bands: dict[str, list[str]] = defaultdict(list)
        self._signatures: dict[str, SignatureRow] = {}

    def meta(self) -> str | None:
        """The saved header."""
        return self._meta

    def postings(self, terms: Sequence[str], limit: int) -> list[Posting]:
        """The last ``limit`` postings of each term."""
        return [p for t in terms for p in self._postings.get(t, [])[-limit:]] if limit > 0 else []

    def centroid_cells(self, terms: Sequence[str], story_ids: Sequence[str]) -> list[Centroid]:
        """Centroid weights of these terms in these stories."""
        out: list[Centroid] = []
        for t in terms:
            cell = self._centroids.get(t)
            if cell:
                out.extend((t, s, cell[s]) for s in story_ids if s in cell)
        return out

    def stats(self, story_ids: Sequence[str]) -> list[StatRow]:
        """Statistics of these stories."""
        return [self._stats[s] for s in story_ids if s in self._stats]

    def bands(self, keys: Sequence[str]) -> list[tuple[str, str]]:
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
        for p in delta.postings:
            self._postings[p[0]].append(p)
        for term, story, weight in delta.centroids:
            self._centroids[term][story] = weight
        self._stats.update((row[0], row) for row in delta.stats)
        for key, article in delta.bands:
            self._bands[key].append(article)
        self._signatures.update((row[0], row) for row in delta.signatures)


def chunks(items: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    """Split keys into lists small enough for one SQL ``IN (...)``."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

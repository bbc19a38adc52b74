"""The one Store interface every backend implements (memory fake, SQLite, later PostgreSQL).

A store holds articles keyed by their content-derived id, plus an ingest log keyed by source
(what was read from where, with what outcome) so that runs are idempotent and resumable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

from dateline.models import Article
from dateline.story_tables import IndexDelta, StoryTables


@dataclass(frozen=True)
class SearchHit:
    """One search result: the article's identity, a ranked score and a highlighted snippet.

    The snippet marks matches with ``[`` and ``]`` (plain text; renderers escape it).
    """

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    snippet: str
    score: float


@dataclass(frozen=True)
class SourceOutcome:
    """What happened to one input document: ``stored``, ``unchanged``, ``skipped`` or ``failed``."""

    source: str
    fingerprint: str
    status: str
    article_id: str | None = None
    reason: str | None = None
    detail: str | None = None


class KnownSource(NamedTuple):
    """What the ingest log holds for a source: its fingerprint, last status and article id."""

    fingerprint: str
    status: str
    article_id: str | None


@dataclass(frozen=True)
class UpsertResult:
    """How many articles a batch inserted, and how many were already stored unchanged."""

    inserted: int
    unchanged: int


@dataclass(frozen=True)
class SearchQuery:
    """A full-text query with filters; dates are ISO strings compared against ``published``.

    ``entity`` and ``place`` keep articles with an entity (place) annotation of that canonical name
    (case-insensitive, like ``Store.annotations(kind, entity=...)``); ``event_type`` keeps articles
    with an event of that type. Every filter applies before ranking, so pages are exact.
    """

    text: str
    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 20
    offset: int = 0
    entity: str | None = None
    place: str | None = None
    event_type: str | None = None


@dataclass(frozen=True)
class AnnotationHit:
    """One stored annotation (entity, place, quote or event) with the article it belongs to."""

    article_id: str
    outlet: str | None
    published: str | None
    title: str | None
    kind: str
    index: int
    data: dict[str, Any]


class StoryMember(NamedTuple):
    """An article's place in the stories: its story, the canonical article it copies, its similarity."""

    article_id: str
    story_id: str
    canonical_id: str | None
    similarity: float


@runtime_checkable
class Store(Protocol):
    """Where articles live. Every method is safe to call repeatedly (idempotent writes)."""

    def write_batch(self, articles: Iterable[Article], outcomes: Iterable[SourceOutcome]) -> UpsertResult:
        """Atomically upsert articles and record source outcomes (all or nothing)."""
        ...

    def get(self, article_id: str) -> Article | None:
        """The article with this id (a unique id prefix of 6+ characters is accepted), or None."""
        ...

    def known_sources(self, sources: Iterable[str]) -> dict[str, KnownSource]:
        """Map each already-processed source to what the ingest log recorded for it."""
        ...

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Ranked full-text search with snippets, filtered by outlet, published date range, entity, place
        and event type (:class:`SearchQuery`)."""
        ...

    def iter_articles(self, batch_size: int = 500) -> Iterator[Article]:
        """Every article, in id order, streamed."""
        ...

    def annotations(
        self, kind: str, entity: str | None = None, type_: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[AnnotationHit]:
        """Stored annotations of one kind (``entities``, ``places``, ``quotes``, ``events``),
        optionally only those involving a canonical entity name and/or of a type, newest first."""
        ...

    def failures(self) -> list[SourceOutcome]:
        """Sources whose last outcome was a failure."""
        ...

    def stats(self) -> dict[str, object]:
        """Counts: articles, failures, skipped, sources, outlets (a dict ready for JSON)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    # -- stories (dateline.stories) ----------------------------------------------------------
    def story_state(self) -> str | None:
        """The story index header saved by the last update (JSON: version, config, seq), or None."""
        ...

    def story_tables(self) -> StoryTables:
        """The story index (:mod:`dateline.story_tables`), read by key."""
        ...

    def story_count(self) -> int:
        """How many stories there are."""
        ...

    def story_pending(self, since: str | None = None) -> list[str]:
        """Ids of articles no story holds yet (published on/after ``since`` if given), in id order."""
        ...

    def write_stories(self, stories: list[dict[str, Any]], members: list[StoryMember],
                      index: IndexDelta | str | None = None, replace: bool = False, append: bool = False) -> None:
        """Atomically upsert story records and memberships and add the index rows of ``index``
        (a string: only the index header; ``replace``: drop all stories and index rows first).
        With ``append``, each record's ``articles`` are only the rows to add after the stored story's
        (its other fields, ``size`` and ``unique_size`` included, are the whole story's): an update
        writes the rows of its new articles, not whole article lists again."""
        ...

    def story_heads(self, story_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored records of these stories (exact ids; absent ones are left out), read in a few
        batched queries, without their article lists: ``articles`` is ``[]`` and ``titled`` says
        whether any of the story's articles has a title (what :func:`dateline.stories.summarize`
        needs to extend a record with new articles)."""
        ...

    def stories(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Story records, largest (unique articles) first, then newest."""
        ...

    def story(self, story_id: str) -> dict[str, Any] | None:
        """One story record by id (or unique prefix of 6+ characters), or None."""
        ...

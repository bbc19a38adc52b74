"""In-memory store: the reference fake the contract tests hold every backend to."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from dateline.models import Article
from dateline.storage.annotations import annotation_rows, matches
from dateline.storage.base import (
    AnnotationHit,
    KnownSource,
    SearchHit,
    SearchQuery,
    SourceOutcome,
    StoryMember,
    UpsertResult,
)
from dateline.storage.common import in_date_range, resolve_prefix, stats_from
from dateline.story_tables import IndexDelta, MemoryStoryTables

_WORD = re.compile(r"\w+")


class MemoryStore:
    """A dict-backed :class:`~dateline.storage.base.Store` (not persistent)."""

    def __init__(self) -> None:
        self._articles: dict[str, Article] = {}
        self._sources: dict[str, SourceOutcome] = {}
        self._stories: dict[str, dict[str, Any]] = {}
        self._story_members: dict[str, StoryMember] = {}
        self._story_tables = MemoryStoryTables()

    def write_batch(self, articles: Iterable[Article], outcomes: Iterable[SourceOutcome]) -> UpsertResult:
        """Upsert articles (same id and same record = unchanged) and record outcomes."""
        inserted = unchanged = 0
        for article in articles:
            if article.id in self._articles:
                unchanged += 1
            else:
                inserted += 1
            self._articles[article.id] = article
        for outcome in outcomes:
            self._sources[outcome.source] = outcome
        return UpsertResult(inserted, unchanged)

    def get(self, article_id: str) -> Article | None:
        """Look up by id or unique prefix."""
        full = resolve_prefix(article_id, self._articles)
        return self._articles.get(full) if full else None

    def known_sources(self, sources: Iterable[str]) -> dict[str, KnownSource]:
        """Ingest-log entries of sources already processed."""
        found = {}
        for s in sources:
            if s in self._sources:
                o = self._sources[s]
                found[s] = KnownSource(o.fingerprint, o.status, o.article_id)
        return found

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Naive ranking: all query words must occur; score is the number of occurrences."""
        words = [w.lower() for w in _WORD.findall(query.text)]
        hits: list[SearchHit] = []
        for article in self._articles.values():
            if query.outlet and (article.outlet or "").lower() != query.outlet.lower():
                continue
            if not in_date_range(article.dates.published, query.since, query.until):
                continue
            if not _has_annotations(article, query):
                continue
            haystack = f"{article.title or ''}\n{article.text}".lower()
            tokens = _WORD.findall(haystack)
            if not words or not all(w in tokens for w in words):
                continue
            score = float(sum(tokens.count(w) for w in words))
            first = min(haystack.find(w) for w in words)
            start = max(0, first - 60)
            snippet = article.text[start : start + 160].replace("\n", " ")
            hits.append(SearchHit(
                article.id, article.title, article.outlet, article.url, article.dates.published, snippet, score
            ))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[query.offset : query.offset + query.limit]

    def iter_articles(self, batch_size: int = 500) -> Iterator[Article]:
        """Articles in id order."""
        for key in sorted(self._articles):
            yield self._articles[key]

    def annotations(
        self, kind: str, entity: str | None = None, type_: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[AnnotationHit]:
        """Annotations filtered by entity and type; newest articles first, then id, then position."""
        hits = []
        for article in self._articles.values():
            for row in annotation_rows(article):
                if row.kind == kind and matches(row, entity, type_):
                    hits.append(AnnotationHit(article.id, article.outlet, article.dates.published, article.title,
                                              kind, row.index, row.data))
        hits.sort(key=lambda h: (-_day_number(h.published), h.article_id, h.index))
        return hits[offset : offset + limit]

    def failures(self) -> list[SourceOutcome]:
        """Outcomes whose status is ``failed``."""
        return sorted((o for o in self._sources.values() if o.status == "failed"), key=lambda o: o.source)

    def stats(self) -> dict[str, object]:
        """Counts by kind."""
        return stats_from(
            articles=len(self._articles),
            outcomes=[(o.status, o.reason, 1) for o in self._sources.values()],
            outlets=[(a.outlet, 1) for a in self._articles.values()],
        )

    def story_state(self) -> str | None:
        """The story index header (JSON), or None."""
        return self._story_tables.meta() or None

    def story_tables(self) -> MemoryStoryTables:
        """The story index tables."""
        return self._story_tables

    def story_count(self) -> int:
        """How many stories there are."""
        return len(self._stories)

    def story_pending(self, since: str | None = None) -> list[str]:
        """Articles without a story, in id order."""
        return sorted(i for i, a in self._articles.items() if i not in self._story_members
                      and (since is None or in_date_range(a.dates.published, since, None)))

    def write_stories(self, stories: list[dict[str, Any]], members: list[StoryMember],
                      index: IndexDelta | str | None = None, replace: bool = False, append: bool = False) -> None:
        """Upsert stories and memberships (``append``: after the stored article rows); apply the
        index delta (a string: only the header)."""
        if replace:
            self._stories.clear()
            self._story_members.clear()
        for s in stories:
            stored = self._stories.get(s["id"]) if append else None
            if stored is not None:
                s = {**s, "articles": [*stored.get("articles", []), *s.get("articles", [])]}
            self._stories[s["id"]] = s
        self._story_members.update((m.article_id, m) for m in members)
        self._story_tables.apply(index if isinstance(index, IndexDelta) else IndexDelta(meta=index or ""), replace)

    def stories(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Largest first (unique articles), then newest, then id."""
        ranked = sorted(self._stories.values(),
                        key=lambda s: (-int(s.get("unique_size", 0)), _neg_text(s.get("last_seen")), s["id"]))
        return ranked[offset : offset + limit]

    def story_heads(self, story_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Records without their article rows (``articles`` empty, ``titled`` added)."""
        heads = {}
        for story_id in story_ids:
            record = self._stories.get(story_id)
            if record is not None:
                heads[story_id] = {**record, "articles": [],
                                   "titled": any(r.get("title") for r in record.get("articles", []))}
        return heads

    def story(self, story_id: str) -> dict[str, Any] | None:
        """By id or unique prefix."""
        full = resolve_prefix(story_id, self._stories)
        return self._stories.get(full) if full else None

    def close(self) -> None:
        """Nothing to release."""


def _day_number(published: str | None) -> int:
    """Sort key: YYYYMMDD as an int (0 when unknown), so newest sorts first when negated."""
    digits = (published or "")[:10].replace("-", "")
    return int(digits) if digits.isdigit() else 0


def _neg_text(value: str | None) -> tuple[int, ...]:
    """Sort key that orders ISO strings newest first."""
    return tuple(-ord(c) for c in (value or ""))


def _has_annotations(article: Article, query: SearchQuery) -> bool:
    """Whether the article passes the query's entity, place and event-type filters."""
    wanted = [(kind, entity, type_) for kind, entity, type_ in (("entities", query.entity, None),
                                                                ("places", query.place, None),
                                                                ("events", None, query.event_type))
              if entity or type_]
    if not wanted:
        return True
    rows = list(annotation_rows(article))
    return all(any(r.kind == kind and matches(r, entity, type_) for r in rows) for kind, entity, type_ in wanted)

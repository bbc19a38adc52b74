"""What the pages and the API show, computed over any :class:`~dateline.storage.Store`.

Pure functions of a store and plain parameters, so the HTML pages and their JSON twins share one
implementation. A search hands every filter (outlet, dates, entity, place, event type) to
``Store.search``, which applies them before ranking. With no words, the articles an annotation
filter selects come from ``Store.annotations`` (at most ``scan``, cached briefly), and aggregates
(timeline, map, entity pages) are folded here from at most ``scan`` annotations.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from dateline.errors import StoreError
from dateline.storage import SearchHit, SearchQuery, Store
from dateline.storage.base import AnnotationHit
from dateline.web.storyview import StoryRef, article_story_index, story_ref

T = TypeVar("T")
StoryLoader = Callable[[Store, str], "dict[str, Any] | None"]
"""Reads one story record with its details (events, quotes, conflicts) by id or prefix."""


def default_story_loader() -> StoryLoader:
    """``dateline.stories.story_detail`` when the stories engine computes a story's events, quotes and
    conflicts on demand, else ``Store.story`` (engines that store the complete record)."""
    detail = getattr(importlib.import_module("dateline.stories"), "story_detail", None)
    if callable(detail):
        return cast(StoryLoader, detail)
    return lambda store, story_id: store.story(story_id)


class TTLCache:
    """A small thread-safe memo with expiry: the store may be written by an ingest while we serve."""

    def __init__(self, ttl: float = 30.0, size: int = 2048) -> None:
        self.ttl, self.size = ttl, size
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing it when missing or expired."""
        return self.lookup(key, compute)[0]

    def lookup(self, key: Hashable, compute: Callable[[], T]) -> tuple[T, bool]:
        """Like :meth:`get`, and whether the value came from the cache."""
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                return hit[1], True
        value = compute()
        if self.ttl <= 0:
            return value, False
        with self._lock:
            if len(self._data) >= self.size:
                self._data.pop(next(iter(self._data)))
            self._data[key] = (now, value)
        return value, False


@dataclass(frozen=True)
class SearchParams:
    """A search as the URL states it; empty strings mean "no filter"."""

    q: str = ""
    outlet: str = ""
    entity: str = ""
    place: str = ""
    event_type: str = ""
    since: str = ""
    until: str = ""
    page: int = 1
    per_page: int = 20

    @property
    def filtered(self) -> bool:
        """True when an annotation filter (entity, place, event type) is set."""
        return bool(self.entity or self.place or self.event_type)


@dataclass
class SearchResult:
    """One page of hits, whether more follow, and whether the filtered scan was cut short."""

    hits: list[SearchHit]
    has_more: bool
    truncated: bool = False
    error: str | None = None
    cached: bool = False
    """Served from the result cache (the ``X-Cache`` response header says so)."""


@dataclass
class Queries:
    """The read model of the web UI over one store (with short-lived caches)."""

    store: Store
    scan: int = 10_000
    """Most annotations read for one filter or aggregate."""
    cache: TTLCache = field(default_factory=TTLCache)
    stats_cache: TTLCache = field(default_factory=TTLCache)
    """For store-wide counts (outlet facet, overview, ``/api/stats``)."""
    story_loader: StoryLoader | None = None
    """How a story's details are read (default: :func:`default_story_loader`)."""

    # -- filters --------------------------------------------------------------------------
    def article_ids(self, kind: str, entity: str | None = None, type_: str | None = None) -> frozenset[str]:
        """Ids of the articles holding an annotation of ``kind`` matching the entity/type."""
        def compute() -> frozenset[str]:
            hits = self.store.annotations(kind, entity=entity or None, type_=type_ or None, limit=self.scan)
            return frozenset(h.article_id for h in hits)

        return self.cache.get(("ids", kind, (entity or "").strip().lower(), (type_ or "").lower()), compute)

    def _id_filter(self, p: SearchParams) -> frozenset[str] | None:
        sets = []
        if p.entity:
            sets.append(self.article_ids("entities", entity=p.entity))
        if p.place:
            sets.append(self.article_ids("places", entity=p.place))
        if p.event_type:
            sets.append(self.article_ids("events", type_=p.event_type))
        if not sets:
            return None
        return frozenset.intersection(*sets)

    # -- search ---------------------------------------------------------------------------
    def search(self, p: SearchParams) -> SearchResult:
        """Full-text search (or, with no words, the articles an annotation filter selects), cached briefly:
        popular searches repeat, and ranking every match is the costly part of a request."""
        result, hit = self.cache.lookup(("search", p), lambda: self._search(p))
        return replace(result, cached=True) if hit else result

    def _search(self, p: SearchParams) -> SearchResult:
        offset = (p.page - 1) * p.per_page
        if p.q.strip():
            try:
                hits = self.store.search(SearchQuery(
                    p.q, p.outlet or None, p.since or None, p.until or None, limit=p.per_page + 1, offset=offset,
                    entity=p.entity or None, place=p.place or None, event_type=p.event_type or None))
            except StoreError as exc:
                return SearchResult([], False, error=str(exc))
            return SearchResult(hits[: p.per_page], len(hits) > p.per_page)
        ids = self._id_filter(p)
        if ids is None:
            return SearchResult([], False)
        return self._browse(ids, p, offset)

    def _browse(self, ids: frozenset[str], p: SearchParams, offset: int) -> SearchResult:
        """Articles selected by annotation filters alone, newest first (no snippet to show)."""
        kind, entity, type_ = (("entities", p.entity, None) if p.entity else
                               ("places", p.place, None) if p.place else ("events", None, p.event_type))
        rows = self.store.annotations(kind, entity=entity, type_=type_, limit=self.scan)
        seen: dict[str, SearchHit] = {}
        for r in rows:
            if r.article_id in ids and r.article_id not in seen and _in_range(r, p):
                seen[r.article_id] = SearchHit(r.article_id, r.title, r.outlet, None, r.published, "", 0.0)
        hits = list(seen.values())
        page = hits[offset: offset + p.per_page + 1]
        return SearchResult(page[: p.per_page], len(page) > p.per_page, len(rows) >= self.scan)

    def outlets(self) -> dict[str, int]:
        """Store-wide outlet counts, for the outlet facet (from the cached :meth:`stats`)."""
        raw = self.stats().get("outlets") or {}
        return {str(k): int(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    def stats(self) -> dict[str, object]:
        """Store counts, reused for ``stats_cache``'s lifetime even when the result cache is off:
        ``Store.stats`` reads every article and source row, and every search page shows the outlets."""
        return self.stats_cache.get(("stats",), self.store.stats)

    # -- aggregates -----------------------------------------------------------------------
    def events_per_day(self, type_: str = "", entity: str = "", since: str = "", until: str = "") -> EventCounts:
        """Events counted per day and type; the day is the event's resolved date, else publication."""
        def compute() -> EventCounts:
            rows = self.store.annotations("events", entity=entity or None, type_=type_ or None, limit=self.scan)
            counts: dict[str, Counter[str]] = defaultdict(Counter)
            undated = 0
            for r in rows:
                day = event_day(r)
                if day is None:
                    undated += 1
                    continue
                if (since and day < since[:10]) or (until and day > until[:10]):
                    continue
                counts[day][str(r.data.get("type") or "?")] += 1
            return EventCounts({d: dict(c) for d, c in sorted(counts.items())}, undated, len(rows) >= self.scan)

        return self.cache.get(("timeline", type_.lower(), entity.lower(), since, until), compute)

    def map_points(self, event_type: str = "") -> list[MapPoint]:
        """Places with coordinates, with how often they are mentioned and how many events happen there."""
        def compute() -> list[MapPoint]:
            points: dict[tuple[str, str], MapPoint] = {}
            for r in self.store.annotations("places", limit=self.scan):
                d = r.data
                lat, lon = d.get("lat"), d.get("lon")
                if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
                    continue
                name = str(d.get("name") or d.get("text") or "?")
                key = (name.lower(), str(d.get("country") or ""))
                pt = points.setdefault(key, MapPoint(name, d.get("country"), float(lat), float(lon)))
                pt.mentions += 1
                pt.articles.add(r.article_id)
            by_name: dict[str, MapPoint] = {}
            for (name, _country), pt in points.items():
                if name not in by_name or pt.mentions > by_name[name].mentions:
                    by_name[name] = pt
            for r in self.store.annotations("events", type_=event_type or None, limit=self.scan):
                for place in r.data.get("places") or []:
                    if isinstance(place, dict):
                        pt_or_none = by_name.get(str(place.get("name") or place.get("text") or "").lower())
                        if pt_or_none is not None:
                            pt_or_none.events += 1
            found = [p for p in points.values() if p.events or not event_type]
            return sorted(found, key=lambda p: (-p.mentions, p.name))

        return self.cache.get(("map", event_type.lower()), compute)

    def entity(self, name: str) -> EntityView | None:
        """Aliases, articles, quotes and events of one canonical entity; None when nothing mentions it."""
        def compute() -> EntityView | None:
            mentions = self.store.annotations("entities", entity=name, limit=self.scan)
            quotes = self.store.annotations("quotes", entity=name, limit=200)
            events = self.store.annotations("events", entity=name, limit=1000)
            if not mentions and not quotes and not events:
                return None
            aliases: Counter[str] = Counter(str(m.data.get("text") or "") for m in mentions)
            kinds: Counter[str] = Counter(str(m.data.get("kind")) for m in mentions if m.data.get("kind"))
            countries: Counter[str] = Counter(
                str(m.data.get("country_name") or m.data.get("country"))
                for m in mentions if m.data.get("country"))
            canonical = next((str(m.data["canonical"]) for m in mentions if m.data.get("canonical")), name)
            articles: dict[str, ArticleRef] = {}
            per_day: Counter[str] = Counter()
            for m in mentions:
                ref = articles.setdefault(m.article_id, ArticleRef(m.article_id, m.title, m.outlet, m.published))
                ref.mentions += 1
                if m.published:
                    per_day[m.published[:10]] += 1
            return EntityView(
                name=canonical, kind=kinds.most_common(1)[0][0] if kinds else None,
                country=countries.most_common(1)[0][0] if countries else None,
                aliases=dict(aliases.most_common(50)), articles=list(articles.values()),
                quotes=quotes, events=events, mentions_per_day=dict(sorted(per_day.items())),
                truncated=len(mentions) >= self.scan,
            )

        return self.cache.get(("entity", name.strip().lower()), compute)

    # -- stories --------------------------------------------------------------------------
    def stories(self, page: int = 1, per_page: int = 20) -> tuple[list[StoryRef], bool]:
        """One page of stories (largest, then newest, first) and whether more follow."""
        def compute() -> tuple[list[StoryRef], bool]:
            rows = self.store.stories(limit=per_page + 1, offset=(page - 1) * per_page)
            return [story_ref(r) for r in rows[:per_page]], len(rows) > per_page

        return self.cache.get(("stories", page, per_page), compute)

    def story(self, story_id: str) -> dict[str, Any] | None:
        """One story record with its details, by id or unique 6+ character prefix (StoreError when ambiguous)."""
        if self.story_loader is None:
            self.story_loader = default_story_loader()
        loader = self.story_loader
        return self.cache.get(("story", story_id), lambda: loader(self.store, story_id))

    def story_of(self, article_id: str) -> StoryRef | None:
        """The story holding an article. The store protocol has no lookup by article, so an index of
        the first ``scan`` stories is built and cached (``cache_seconds``)."""
        index = self.cache.get(("story-index",), lambda: article_story_index(self.store.stories(limit=self.scan)))
        return index.get(article_id)



class StoreThreads:
    """Runs the read model off the event loop, on ``threads`` threads that each open their own store
    with ``open_reader`` (for SQLite, a read-only connection: SQLite ranks and builds snippets without
    holding the GIL, so two threads keep two cores busy) and share the caches of ``queries``. Without
    ``open_reader`` one thread uses ``queries.store`` as given."""

    def __init__(self, queries: Queries, open_reader: Callable[[], Store] | None = None, threads: int = 2) -> None:
        self.shared = queries
        self.open_reader = open_reader
        self.threads = max(1, threads) if open_reader is not None else 1
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._opened: list[Store] = []
        self._lock = threading.Lock()

    def queries(self) -> Queries:
        """This thread's read model (its own store, the shared caches)."""
        q: Queries | None = getattr(self._local, "queries", None)
        if q is None:
            q = self.shared
            if self.open_reader is not None:
                store = self.open_reader()
                with self._lock:
                    self._opened.append(store)
                q = replace(self.shared, store=store)
            self._local.queries = q
        return q

    async def run(self, work: Callable[[Queries], T]) -> T:
        """``work(queries)`` on a store thread; the event loop serves other requests meanwhile."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="dateline-store")
            executor = self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, lambda: work(self.queries()))

    def close(self) -> None:
        """Wait for running work, then close the stores the threads opened (not the shared one); a later
        :meth:`run` starts new threads (an app's lifespan may run more than once)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        with self._lock:
            opened, self._opened = self._opened, []
        for store in opened:
            store.close()


def _in_range(r: AnnotationHit, p: SearchParams) -> bool:
    if p.outlet and (r.outlet or "").lower() != p.outlet.lower():
        return False
    if not p.since and not p.until:
        return True
    day = (r.published or "")[:10]
    if not day:
        return False
    return not ((p.since and day < p.since[:10]) or (p.until and day > p.until[:10]))


def event_day(r: AnnotationHit) -> str | None:
    """The day an event is counted on: its resolved date, else its article's publication day."""
    date = r.data.get("date")
    if isinstance(date, str) and len(date) >= 10:
        return date[:10]
    return r.published[:10] if r.published else None


@dataclass
class EventCounts:
    """``days``: day → {event type → count}; ``undated``: events with no day; ``truncated``: scan cut."""

    days: dict[str, dict[str, int]]
    undated: int
    truncated: bool


@dataclass
class MapPoint:
    """A place on the map: where it is, how often it is mentioned, in how many articles and events."""

    name: str
    country: str | None
    lat: float
    lon: float
    mentions: int = 0
    events: int = 0
    articles: set[str] = field(default_factory=set)


@dataclass
class ArticleRef:
    """An article as a list item, with how many times it mentions something."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    mentions: int = 0


@dataclass
class EntityView:
    """Everything the entity page shows."""

    name: str
    kind: str | None
    country: str | None
    aliases: dict[str, int]
    articles: list[ArticleRef]
    quotes: list[AnnotationHit]
    events: list[AnnotationHit]
    mentions_per_day: dict[str, int]
    truncated: bool

"""Stories: near-duplicates folded, each real-world event's coverage grouped across outlets, and the
places where the outlets' accounts conflict.

``update_stories(store)`` clusters the articles no story holds yet into the existing stories (or new
ones), reading only the index rows their terms need, and refreshes the cheap record (label, dates,
outlets, article list) of the stories it touched; ``rebuild=True`` starts from scratch. Merged
events, quotes by speaker and conflicts are computed when a story is shown (:func:`story_detail`).
The clustering (:mod:`dateline.story_cluster`) is online, so an update gives the clusters a rebuild
would give over the same articles in the same order (see docs/stories.md for the one exception:
articles older than what is already clustered).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from dateline.models import Article
from dateline.storage.base import Store, StoryMember
from dateline.story_claims import find_conflicts
from dateline.story_cluster import ClusterConfig, Member, StoryIndex, new_story_id, order_key
from dateline.story_events import merge_events, quotes_by_speaker

__all__ = ["Story", "UpdateSummary", "cluster", "story_detail", "summarize", "update_stories"]


@dataclass(frozen=True)
class Story:
    """One story: its articles (duplicates marked), merged events, quotes by speaker and conflicts."""

    id: str
    label: str
    first_seen: str | None
    last_seen: str | None
    outlets: tuple[str, ...]
    articles: tuple[dict[str, Any], ...]
    events: tuple[dict[str, Any], ...] = ()
    quotes: tuple[dict[str, Any], ...] = ()
    conflicts: tuple[dict[str, Any], ...] = ()

    @property
    def size(self) -> int:
        """Articles, copies included."""
        return len(self.articles)

    @property
    def unique_size(self) -> int:
        """Articles with near-duplicates folded into their canonical article."""
        return sum(1 for a in self.articles if not a.get("duplicate_of"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what the store keeps and ``stories show --json`` prints)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}  # shallow: the rows are plain dicts
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        d["size"], d["unique_size"] = self.size, self.unique_size
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Story:
        """Inverse of :meth:`to_dict`."""
        return cls(d["id"], d["label"], d.get("first_seen"), d.get("last_seen"), tuple(d.get("outlets") or ()),
                   tuple(d.get("articles") or ()), tuple(d.get("events") or ()), tuple(d.get("quotes") or ()),
                   tuple(d.get("conflicts") or ()))


@dataclass
class UpdateSummary:
    """What one update did."""

    added: int = 0
    duplicates: int = 0
    new_stories: int = 0
    touched: int = 0
    stories: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _date(a: Article) -> str | None:
    return a.dates.published or a.dates.captured


def _row(a: Article, m: Member | None) -> dict[str, Any]:
    return {"id": a.id, "url": a.url, "outlet": a.outlet, "title": a.title, "published": _date(a),
            "duplicate_of": m.canonical_id if m else None, "similarity": round(m.similarity, 4) if m else None}


def summarize(story_id: str, articles: Sequence[Article], members: dict[str, Member]) -> Story:
    """The cheap record of a story made of ``articles`` (in clustering order; an update extends a
    stored record with :func:`_appended` instead). The label is the headline of the story's first
    titled original article (else of its first article, else its first words): it is stable across
    updates. Events, quotes and conflicts are left empty here (:func:`story_detail` computes them)."""
    rows = [_row(a, members.get(a.id)) for a in articles]
    return Story.from_dict({**_fields(story_id, articles, rows, None), "articles": rows})


def _fields(story_id: str, new: Sequence[Article], rows: list[dict[str, Any]],
            head: dict[str, Any] | None) -> dict[str, Any]:
    """Label, dates and outlets of a story whose article rows are ``rows`` (all of them, without a
    ``head``) or ``head`` (a :meth:`Store.story_heads` record) plus ``rows`` (the new ones): the same
    fields either way, so an update writes only its new rows."""
    label = (head or {}).get("label") or ""
    if not label or not (head and head.get("titled")):
        # without a titled article before, the first titled row (original, else any) is a new one
        titled = [r for r in rows if r.get("title") and not r.get("duplicate_of")]
        titled = titled or [r for r in rows if r.get("title")]
        if titled:
            label = str(titled[0]["title"])
        elif not label:
            label = " ".join(new[0].text.split()[:12]) if new else story_id
    dates = [str(r["published"]) for r in rows if r.get("published")]
    dates += [d for d in ((head or {}).get("first_seen"), (head or {}).get("last_seen")) if d]
    outlets = {str(r["outlet"]) for r in rows if r.get("outlet")} | set((head or {}).get("outlets") or ())
    return {"id": story_id, "label": label, "first_seen": min(dates) if dates else None,
            "last_seen": max(dates) if dates else None, "outlets": sorted(outlets)}


def _appended(story_id: str, new: Sequence[Article], members: dict[str, Member],
              head: dict[str, Any] | None) -> dict[str, Any]:
    """The record :func:`summarize` would give, except that ``articles`` holds only the new rows
    (``Store.write_stories(..., append=True)`` adds them after the stored ones)."""
    rows = [_row(a, members.get(a.id)) for a in new]
    record = Story.from_dict({**_fields(story_id, new, rows, head), "articles": rows}).to_dict()
    record["size"] += int((head or {}).get("size", 0))
    record["unique_size"] += int((head or {}).get("unique_size", 0))
    return record


def story_detail(store: Store, story_id: str) -> dict[str, Any] | None:
    """A stored story with its merged events, quotes by speaker and conflicting accounts (computed
    from its original articles now), or None when there is no such story."""
    record = store.story(story_id)
    if record is None:
        return None
    originals = [a for a in (store.get(r["id"]) for r in record.get("articles", []) if not r.get("duplicate_of"))
                 if a is not None]
    record = dict(record)
    record["events"] = merge_events(originals)
    record["quotes"] = quotes_by_speaker(originals)
    record["conflicts"] = find_conflicts(originals)
    return record


def cluster(articles: Iterable[Article], config: ClusterConfig | None = None) -> dict[str, str]:
    """Cluster articles without a store: article id -> story id (what the bench scores)."""
    index = StoryIndex(config)
    index.add_all(articles)
    return index.assignments()


def _since_ok(article: Article, since: str | None) -> bool:
    d = _date(article)
    return since is None or (d is not None and d[:10] >= since[:10])


def update_stories(store: Store, since: str | None = None, rebuild: bool = False,
                   config: ClusterConfig | None = None) -> UpdateSummary:
    """Cluster the articles not yet in a story (or all of them with ``rebuild``) and store the result.

    The cyclic garbage collector is paused meanwhile (rebuild and update alike; reference counting
    still frees everything): the index rows read and made are tens of thousands of small long-lived
    objects without cycles, and each full collection would rescan them together with whatever else
    the process holds (in bench/stories.py: 0.4 s of a 4.7 s update, 1.7 s of a 43 s rebuild)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _update_stories(store, since, rebuild, config)
    finally:
        if enabled:
            gc.enable()


def _update_stories(store: Store, since: str | None, rebuild: bool, config: ClusterConfig | None) -> UpdateSummary:
    t0 = time.perf_counter()
    summary = UpdateSummary(rebuilt=rebuild)
    index: StoryIndex | None = None
    if not rebuild:
        tables = store.story_tables()
        index = StoryIndex.open(tables, config)
        if index is None and (tables.meta() or store.story_count()):
            summary.rebuilt = rebuild = True  # the stored index is from another version/config, or dropped
    if index is None:
        index = StoryIndex(config)
    t1 = time.perf_counter()
    if rebuild:
        pending = [a for a in store.iter_articles() if _since_ok(a, since)]
    else:
        pending = [a for a in (store.get(i) for i in store.story_pending(since)) if a is not None]
    t2 = time.perf_counter()
    new_stories = 0
    pending.sort(key=order_key)
    if not rebuild:
        index.prefetch(pending)
    for article in pending:
        m = index.add(article)
        summary.duplicates += m.canonical_id is not None
        new_stories += m.story_id == new_story_id(m.article_id)
    summary.added = len(pending)
    summary.new_stories = new_stories
    t3 = time.perf_counter()
    by_id = {a.id: a for a in pending}
    if rebuild:
        stories = [summarize(story_id, [by_id[i] for i in ids], index.members).to_dict()
                   for story_id, ids in index.stories.items()]
    else:  # stored stories: their record without article rows (one batched read), plus the new rows
        heads = store.story_heads(sid for sid, ids in index.stories.items() if sid != new_story_id(ids[0]))
        stories = [_appended(story_id, [by_id[i] for i in ids], index.members, heads.get(story_id))
                   for story_id, ids in index.stories.items()]
    t4 = time.perf_counter()
    memberships = [StoryMember(m.article_id, m.story_id, m.canonical_id, m.similarity)
                   for m in (index.members[a.id] for a in pending)]
    store.write_stories(stories, memberships, index.delta(), replace=rebuild, append=not rebuild)
    t5 = time.perf_counter()
    summary.touched = len(index.stories)
    summary.stories = store.story_count()
    summary.seconds = t5 - t0
    summary.timings = {"open_index": t1 - t0, "read_articles": t2 - t1, "cluster": t3 - t2, "summarize": t4 - t3,
                       "write": t5 - t4}
    return summary

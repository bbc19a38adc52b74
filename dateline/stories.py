"""Stories: near-duplicates folded, each real-world event's coverage grouped across outlets, and the
places where the outlets' accounts conflict.

``update_stories(store)`` clusters the articles no story holds yet into the existing stories (or new
ones) and re-summarises only the stories it touched; ``rebuild=True`` starts from scratch. The
clustering (:mod:`dateline.story_cluster`) is online, so an update gives the clusters a rebuild
would give over the same articles in the same order (see docs/stories.md for the one exception:
articles older than what is already clustered).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from dateline.models import Article
from dateline.storage.base import Store, StoryMember
from dateline.story_claims import find_conflicts
from dateline.story_cluster import ClusterConfig, Member, StoryIndex, order_key
from dateline.story_events import merge_events, quotes_by_speaker
from dateline.story_text import cosine

__all__ = ["Story", "UpdateSummary", "cluster", "summarize", "update_stories"]


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
        d = asdict(self)
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


def summarize(story_id: str, articles: Sequence[Article], members: dict[str, Member]) -> Story:
    """Build a story record from its articles (in clustering order) and their index entries."""
    articles = sorted(articles, key=lambda a: members[a.id].seq if a.id in members else 0)
    originals = [a for a in articles if not (a.id in members and members[a.id].canonical_id)]
    # The label is the headline of the article nearest the story's centroid (first article on ties).
    centroid: dict[str, float] = {}
    for a in originals:
        for t, w in (members[a.id].vector if a.id in members else {}).items():
            centroid[t] = centroid.get(t, 0.0) + w
    titled = [a for a in originals if a.title] or [a for a in articles if a.title]
    if titled:
        best = max(titled, key=lambda a: cosine(members[a.id].vector, centroid) if a.id in members else 0.0)
        label = best.title or ""
    else:
        label = " ".join(articles[0].text.split()[:12]) if articles else story_id
    dates = sorted(d for d in (_date(a) for a in articles) if d)
    rows = tuple({
        "id": a.id, "url": a.url, "outlet": a.outlet, "title": a.title, "published": _date(a),
        "duplicate_of": members[a.id].canonical_id if a.id in members else None,
        "similarity": round(members[a.id].similarity, 4) if a.id in members else None,
    } for a in articles)
    return Story(
        id=story_id, label=label, first_seen=dates[0] if dates else None, last_seen=dates[-1] if dates else None,
        outlets=tuple(sorted({a.outlet for a in articles if a.outlet})), articles=rows,
        events=tuple(merge_events(originals)), quotes=tuple(quotes_by_speaker(originals)),
        conflicts=tuple(find_conflicts(originals)),
    )


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
    """Cluster the articles not yet in a story (or all of them with ``rebuild``) and store the result."""
    t0 = time.perf_counter()
    summary = UpdateSummary(rebuilt=rebuild)
    index: StoryIndex | None = None
    if not rebuild:
        state = store.story_state()
        index = StoryIndex.from_json(state, config) if state else None
        if state and index is None:
            summary.rebuilt = rebuild = True  # the stored state is from another version/config
    if index is None:
        index = StoryIndex(config)
    t1 = time.perf_counter()
    if rebuild:
        pending = [a for a in store.iter_articles() if _since_ok(a, since)]
    else:
        pending = [a for a in (store.get(i) for i in store.story_pending(since)) if a is not None]
    by_id = {a.id: a for a in pending}
    t2 = time.perf_counter()
    touched: set[str] = set()
    before = set(index.stories)
    for article in sorted(pending, key=order_key):
        m = index.add(article)
        touched.add(m.story_id)
        summary.duplicates += m.canonical_id is not None
    summary.added = len(pending)
    summary.new_stories = len(set(index.stories) - before)
    t3 = time.perf_counter()
    stories: list[dict[str, Any]] = []
    for story_id in sorted(touched):
        ids = index.stories[story_id]
        arts = [by_id.get(i) or store.get(i) for i in ids]
        stories.append(summarize(story_id, [a for a in arts if a is not None], index.members).to_dict())
    t4 = time.perf_counter()
    memberships = [StoryMember(m.article_id, m.story_id, m.canonical_id, m.similarity)
                   for m in (index.members[a.id] for a in pending)]
    store.write_stories(stories, memberships, index.to_json(), replace=rebuild)
    t5 = time.perf_counter()
    summary.touched = len(touched)
    summary.stories = len(index.stories)
    summary.seconds = t5 - t0
    summary.timings = {"load_state": t1 - t0, "read_articles": t2 - t1, "cluster": t3 - t2, "summarize": t4 - t3,
                       "write": t5 - t4}
    return summary

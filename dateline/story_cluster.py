"""Online story clustering: each new article joins the story of its most similar earlier article.

An article is compared (TF-IDF cosine over its content words, headline words and canonical entity
keys, via an inverted index) with every earlier article; a story's score is the best
``cosine - threshold`` over its members, where the threshold is :attr:`ClusterConfig.near` for
members published within :attr:`ClusterConfig.window_days` of the article (or with no date) and the
stricter :attr:`ClusterConfig.far` beyond it. The best positive score wins; none makes a new story,
whose id derives from its first article. Near-duplicates (:mod:`dateline.story_dedup`) join their
canonical article's story directly and do not count twice in the IDF.

Because IDF is online and nothing already decided is revisited, adding articles one run at a time
gives exactly the clusters a rebuild gives when it sees the articles in the same order. Ties:
equal scores go to the story whose first article came first (then the smaller story id).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from dateline.models import Article
from dateline.story_dedup import NearDuplicateIndex, decode_signature, encode_signature, signature
from dateline.story_text import OnlineIdf, term_counts

ENTITY_KINDS = frozenset({
    "person", "organisation", "international organisation", "armed group", "government body", "military",
    "political party",
})
"""Entity kinds whose canonical names become clustering keys (countries are too common to separate)."""
STATE_VERSION = 1


@dataclass(frozen=True)
class ClusterConfig:
    """Thresholds chosen on the news-cluster dev set; see docs/stories.md for their sensitivity."""

    near: float = 0.13
    far: float = 0.18
    window_days: int = 30
    use_entities: bool = True


@dataclass
class Member:
    """One clustered article: its story, order, date (ordinal day), vector and duplicate link."""

    article_id: str
    story_id: str
    seq: int
    day: int | None
    vector: dict[str, float]
    canonical_id: str | None
    similarity: float
    signature: str | None = None


def article_day(article: Article) -> int | None:
    """The article's publication (else capture) day as an ordinal, or None when unknown."""
    for value in (article.dates.published, article.dates.captured):
        if value:
            try:
                return date.fromisoformat(value[:10]).toordinal()
            except ValueError:
                continue
    return None


def entity_keys(article: Article) -> list[str]:
    """Canonical entity names of clustering kinds, as ``@name`` terms (one per mention)."""
    keys = []
    for ent in article.entities:
        if ent.get("kind") in ENTITY_KINDS and ent.get("canonical") and not ent.get("nested"):
            keys.append("@" + str(ent["canonical"]).lower())
    return keys


def order_key(article: Article) -> tuple[str, str]:
    """Processing order: publication (else capture) date, then id; undated articles come last."""
    return (article.dates.published or article.dates.captured or "9999", article.id)


class StoryIndex:
    """The clustering state: online IDF, article vectors, an inverted index and the duplicate index."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self.idf = OnlineIdf()
        self.members: dict[str, Member] = {}
        self.stories: dict[str, list[str]] = defaultdict(list)
        self._postings: dict[str, list[str]] = defaultdict(list)
        self._dups = NearDuplicateIndex()
        self._seq = 0

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.members

    def add(self, article: Article) -> Member:
        """Cluster one article (idempotent: an article already indexed keeps its story)."""
        if article.id in self.members:
            return self.members[article.id]
        sig = signature(article.text)
        canonical = self._dups.add(article.id, sig)
        day = article_day(article)
        self._seq += 1
        encoded = encode_signature(sig) if sig is not None else None
        if canonical is not None and canonical in self.members:
            story = self.members[canonical].story_id
            member = Member(article.id, story, self._seq, day, {}, canonical, 1.0, encoded)
        else:
            extra = entity_keys(article) if self.config.use_entities else []
            counts = term_counts(article.text, article.title, extra)
            self.idf.add(counts)
            vector = self.idf.weigh(counts)
            joined, score = self._best_story(vector, day)
            story_id = joined or "s" + article.id[:15]
            member = Member(article.id, story_id, self._seq, day, vector, None, score, encoded)
            for term in vector:
                self._postings[term].append(article.id)
        self.members[article.id] = member
        self.stories[member.story_id].append(article.id)
        return member

    def _best_story(self, vector: dict[str, float], day: int | None) -> tuple[str | None, float]:
        dots: dict[str, float] = defaultdict(float)
        for term, weight in vector.items():
            for other in self._postings.get(term, ()):
                dots[other] += weight * self.members[other].vector[term]
        best: dict[str, tuple[float, float]] = {}
        cfg = self.config
        for other, cos in dots.items():
            m = self.members[other]
            near = day is None or m.day is None or abs(day - m.day) <= cfg.window_days
            margin = cos - (cfg.near if near else cfg.far)
            if margin >= 0 and (m.story_id not in best or margin > best[m.story_id][0]):
                best[m.story_id] = (margin, cos)
        if not best:
            return None, 0.0
        first_seq = {s: self.members[self.stories[s][0]].seq for s in best}
        story = min(best, key=lambda s: (-best[s][0], first_seq[s], s))
        return story, best[story][1]

    def add_all(self, articles: Iterable[Article]) -> list[Member]:
        """Cluster articles in processing order (:func:`order_key`)."""
        return [self.add(a) for a in sorted(articles, key=order_key)]

    def assignments(self) -> dict[str, str]:
        """article id -> story id."""
        return {a: m.story_id for a, m in self.members.items()}

    # -- persistence ---------------------------------------------------------------------
    def to_json(self) -> str:
        """The whole state as JSON (what a store keeps between runs)."""
        rows = [
            [m.article_id, m.story_id, m.seq, m.day, {t: round(w, 6) for t, w in m.vector.items()},
             m.canonical_id, round(m.similarity, 6), m.signature]
            for m in sorted(self.members.values(), key=lambda m: m.seq)
        ]
        state: dict[str, Any] = {
            "version": STATE_VERSION, "config": asdict(self.config), "seq": self._seq,
            "n_docs": self.idf.n_docs, "df": dict(self.idf.df), "members": rows,
        }
        return json.dumps(state, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, config: ClusterConfig | None = None) -> StoryIndex | None:
        """Rebuild an index from :meth:`to_json`; None when the state is from another version/config
        (the caller then rebuilds from scratch)."""
        state = json.loads(text)
        stored = ClusterConfig(**state.get("config", {}))
        if state.get("version") != STATE_VERSION or (config is not None and config != stored):
            return None
        index = cls(stored)
        index.idf = OnlineIdf(state["df"], state["n_docs"])
        index._seq = state["seq"]
        for aid, story, seq, day, vector, canonical, sim, sig in state["members"]:
            m = Member(aid, story, seq, day, vector, canonical, sim, sig)
            index.members[aid] = m
            index.stories[story].append(aid)
            for term in vector:
                index._postings[term].append(aid)
            if sig is not None:
                index._dups.restore(aid, decode_signature(sig), canonical)
        return index

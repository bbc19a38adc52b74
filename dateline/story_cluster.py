"""Online story clustering: each new article joins the most similar story, or starts one.

Articles are vectors of stemmed content words and headline words (sublinear TF x a *fixed background*
IDF, :func:`dateline.story_text.background_idf`), so an article's vector never changes once made.
A story scores a new article by ``alpha * single_link + (1 - alpha) * centroid_cosine`` — the best
cosine with one of its articles published within :attr:`ClusterConfig.horizon_days`, blended with
the cosine to the sum of all its article vectors — minus a threshold that grows with the time gap
(:attr:`ClusterConfig.threshold` within :attr:`ClusterConfig.window_days` of the story's dated
range, rising linearly by :attr:`ClusterConfig.late_penalty` over :attr:`ClusterConfig.ramp_days`).
A second route: headlines alone (binary TF-IDF cosine with one member's headline, 3+ content words
each) at :attr:`ClusterConfig.title_threshold`, under the same time penalty. Stories whose dated
range lies more than the horizon away are not candidates. The best positive score wins; none makes
a new story, whose id derives from its first article. Near-duplicates (:mod:`dateline.story_dedup`)
join their canonical article's story directly and add nothing to the vectors.

Because vectors are fixed and nothing already decided is revisited, adding articles one run at a
time gives exactly the clusters a rebuild gives when it sees the articles in the same order. Ties:
equal scores go to the story whose first article came first (then the smaller story id). The index
lives in tables (:mod:`dateline.story_tables`); an update reads only the rows of its articles' terms.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
from datasketch import MinHash, MinHashLSH

from dateline.models import Article
from dateline.story_dedup import (
    DUPLICATE_JACCARD,
    LSH_THRESHOLD,
    NUM_PERM,
    decode_signature,
    encode_signature,
    signature,
)
from dateline.story_tables import IndexDelta, Posting, StoryTables
from dateline.story_text import background_idf, term_counts

ENTITY_KINDS = frozenset({
    "person", "organisation", "international organisation", "armed group", "government body", "military",
    "political party",
})
"""Entity kinds whose canonical names become clustering keys when :attr:`ClusterConfig.use_entities`."""
STATE_VERSION = 3
_LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r
"""The LSH banding datasketch picks for the duplicate threshold (same candidates as its index)."""


@dataclass(frozen=True)
class ClusterConfig:
    """Chosen on the news-cluster dev set; docs/stories.md gives the sensitivity and held-out folds."""

    threshold: float = 0.24
    alpha: float = 0.5
    title_threshold: float = 0.6
    window_days: int = 7
    ramp_days: int = 90
    late_penalty: float = 0.16
    horizon_days: int = 730
    use_entities: bool = False
    postings_cap: int = 100
    """Only the most recent this-many postings of a term (in processing order) name candidates."""
    centroid_candidates: int = 20
    """Stories scored as a whole: the best this-many by single link (plus every headline-route story)."""


@dataclass
class Member:
    """One clustered article: its story, order, date (ordinal day) and duplicate link."""

    article_id: str
    story_id: str
    seq: int
    day: int | None
    canonical_id: str | None
    similarity: float


@dataclass
class StoryStat:
    """What scoring needs of a story: first article's seq, size, centroid norm², dated range."""

    first_seq: int
    n: int
    sumsq: float
    lo: int | None
    hi: int | None


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


def band_keys(sig: MinHash) -> list[str]:
    """The signature's LSH band keys (band number + hash values of the band)."""
    values = np.asarray(sig.hashvalues, dtype=np.uint32)
    return [f"{b}:{values[b * ROWS:(b + 1) * ROWS].tobytes().hex()}" for b in range(BANDS)]


class StoryIndex:
    """The clustering state, loaded lazily from :class:`StoryTables` (or empty for a rebuild).

    In-memory dictionaries cache the rows read so far and hold the rows added; :meth:`delta`
    returns what to write back.
    """

    def __init__(self, config: ClusterConfig | None = None, tables: StoryTables | None = None, seq: int = 0) -> None:
        self.config = config or ClusterConfig()
        self.tables = tables
        self.members: dict[str, Member] = {}
        """Articles clustered in this run (or all of them, without tables)."""
        self.stories: dict[str, list[str]] = defaultdict(list)
        """story id -> article ids added in this run."""
        self._seq = seq
        self._idf = background_idf()
        self._postings: dict[str, list[Posting]] = defaultdict(list)
        self._centroids: dict[str, dict[str, float]] = defaultdict(dict)
        self._stats: dict[str, StoryStat] = {}
        self._bands: dict[str, list[str]] = defaultdict(list)
        self._sigs: dict[str, tuple[MinHash, str | None, str]] = {}
        self._loaded: set[str] = set()
        self._loaded_cells: dict[str, set[str]] = defaultdict(set)
        """story id -> terms whose centroid weight has been read from the tables."""
        self._delta = IndexDelta()
        self._dirty_centroids: set[tuple[str, str]] = set()
        self._dirty_stats: set[str] = set()

    @classmethod
    def open(cls, tables: StoryTables, config: ClusterConfig | None = None) -> StoryIndex | None:
        """The stored index, or None when nothing is stored or it is from another version/config."""
        text = tables.meta()
        if not text:
            return None
        meta = json.loads(text)
        stored = ClusterConfig(**meta.get("config", {}))
        if meta.get("version") != STATE_VERSION or (config is not None and config != stored):
            return None
        return cls(stored, tables, int(meta.get("seq", 0)))

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.members

    # -- lazy loading ----------------------------------------------------------------------
    def _load(self, keys: Iterable[str], kind: str) -> list[str]:
        """Keys of ``kind`` not yet read from the tables (marking them read)."""
        if self.tables is None:
            return []
        fresh = [k for k in dict.fromkeys(keys) if kind + k not in self._loaded]
        self._loaded.update(kind + k for k in fresh)
        return fresh

    def _load_terms(self, terms: Iterable[str]) -> None:
        fresh = self._load(terms, "t")
        if fresh and self.tables is not None:
            for p in self.tables.postings(fresh, self.config.postings_cap):
                self._postings[p[0]].append(p)

    def _load_centroids(self, terms: Sequence[str], story_ids: Iterable[str]) -> None:
        """Read the centroid weights of these (term, story) cells not read yet."""
        if self.tables is None:
            return
        need: set[str] = set()
        stories = []
        for sid in story_ids:
            missing = set(terms) - self._loaded_cells[sid]
            if missing:
                need |= missing
                stories.append(sid)
                self._loaded_cells[sid] |= missing
        if stories:
            for term, story, weight in self.tables.centroid_cells(sorted(need), stories):
                self._centroids[term].setdefault(story, weight)

    def _load_stats(self, story_ids: Iterable[str]) -> None:
        fresh = self._load(story_ids, "s")
        if fresh and self.tables is not None:
            for sid, first, n, sumsq, lo, hi in self.tables.stats(fresh):
                self._stats[sid] = StoryStat(first, n, sumsq, lo, hi)

    def _load_bands(self, keys: list[str]) -> None:
        fresh = self._load(keys, "b")
        if fresh and self.tables is not None:
            rows = self.tables.bands(fresh)
            for key, aid in rows:
                self._bands[key].append(aid)
            need = self._load((aid for _, aid in rows), "g")
            for aid, sig, canonical, story in self.tables.signatures(need) if need else ():
                self._sigs[aid] = (decode_signature(sig), canonical, story)

    # -- clustering --------------------------------------------------------------------------
    def add(self, article: Article) -> Member:
        """Cluster one article (idempotent within a run: an article already added keeps its story)."""
        if article.id in self.members:
            return self.members[article.id]
        day = article_day(article)
        self._seq += 1
        sig = signature(article.text)
        copy = self._duplicate_of(sig) if sig is not None else None
        if copy is not None:
            canonical, story_id = copy
            member = Member(article.id, story_id, self._seq, day, canonical, 1.0)
        else:
            extra = entity_keys(article) if self.config.use_entities else []
            vector = self._idf.weigh(term_counts(article.text, article.title, extra))
            title = {"^" + t: w for t, w in self._idf.title_vector(article.title).items()}
            joined, score, cdot = self._best_story(vector, title, day)
            story_id = joined or "s" + article.id[:15]
            member = Member(article.id, story_id, self._seq, day, None, score)
            self._index(member, vector, title, cdot)
        if sig is not None:
            self._add_signature(article.id, sig, member.canonical_id, member.story_id)
        self.members[article.id] = member
        self.stories[member.story_id].append(article.id)
        return member

    def _duplicate_of(self, sig: MinHash) -> tuple[str, str] | None:
        """(canonical article, its story) of the best earlier copy at the duplicate threshold."""
        keys = band_keys(sig)
        self._load_bands(keys)
        best: tuple[str, float] | None = None
        for other in sorted({a for k in keys for a in self._bands.get(k, ())}):
            j = float(sig.jaccard(self._sigs[other][0]))
            if j >= DUPLICATE_JACCARD and (best is None or j > best[1]):
                best = (other, j)
        if best is None:
            return None
        _, canonical, story = self._sigs[best[0]]
        return canonical or best[0], story

    def _add_signature(self, article_id: str, sig: MinHash, canonical: str | None, story: str) -> None:
        self._sigs[article_id] = (sig, canonical, story)
        self._delta.signatures.append((article_id, encode_signature(sig), canonical, story))
        for key in band_keys(sig):
            self._bands[key].append(article_id)
            self._delta.bands.append((key, article_id))

    def _penalty(self, day: int | None, stat: StoryStat) -> float | None:
        """The threshold's time penalty for a story, or None when the story is beyond the horizon."""
        if day is None or stat.lo is None or stat.hi is None:
            return 0.0
        cfg = self.config
        gap = max(0, stat.lo - day, day - stat.hi)
        if gap > cfg.horizon_days:
            return None
        return cfg.late_penalty * min(1.0, max(0, gap - cfg.window_days) / cfg.ramp_days)

    def _best_story(self, vector: dict[str, float], title: dict[str, float],
                    day: int | None) -> tuple[str | None, float, dict[str, float]]:
        """Candidates are the stories named by the most recent ``postings_cap`` postings of the
        article's terms; the best ``centroid_candidates`` of them by single link (and every story
        the headline route reaches) are then scored as a whole. Per-article cost does not grow with
        the index, and a rebuild makes exactly the same choices."""
        cfg = self.config
        self._load_terms([*vector, *title])
        horizon, cap = cfg.horizon_days, cfg.postings_cap
        single: dict[str, float] = defaultdict(float)
        titles: dict[str, float] = defaultdict(float)
        story_of: dict[str, str] = {}
        for terms, acc in ((vector, single), (title, titles)):
            for term, weight in terms.items():
                plist = self._postings.get(term)
                if not plist:
                    continue
                for _, aid, sid, w, mday in plist[-cap:]:
                    if day is None or mday is None or abs(day - mday) <= horizon:
                        acc[aid] += weight * w
                        story_of[aid] = sid
        best_single: dict[str, float] = {}
        best_title: dict[str, float] = {}
        for acc, best in ((single, best_single), (titles, best_title)):
            for aid, dot in acc.items():
                sid = story_of[aid]
                if dot > best.get(sid, 0.0):
                    best[sid] = dot
        ranked = heapq.nsmallest(cfg.centroid_candidates, best_single, key=lambda s: (-best_single[s], s))
        candidates = sorted(set(ranked) | set(best_title))
        self._load_centroids(list(vector), candidates)
        cdot: dict[str, float] = {}
        for sid in candidates:
            dot = 0.0
            for term, weight in vector.items():
                cw = self._centroids.get(term, {}).get(sid)
                if cw is not None:
                    dot += weight * cw
            cdot[sid] = dot
        self._load_stats(candidates)
        scored: list[tuple[float, int, str, float]] = []
        for sid in candidates:
            stat = self._stats[sid]
            penalty = self._penalty(day, stat)
            if penalty is None:
                continue
            cos = cfg.alpha * best_single.get(sid, 0.0)
            cos += (1 - cfg.alpha) * (cdot[sid] / math.sqrt(stat.sumsq) if stat.sumsq > 0 else 0.0)
            margin = cos - cfg.threshold - penalty
            if sid in best_title:
                margin = max(margin, best_title[sid] - cfg.title_threshold - penalty)
            if margin >= 0:
                scored.append((-margin, stat.first_seq, sid, cos))
        if not scored:
            return None, 0.0, cdot
        _, _, sid, cos = min(scored)
        return sid, cos, cdot

    def _index(self, m: Member, vector: dict[str, float], title: dict[str, float], cdot: dict[str, float]) -> None:
        """Add an original article's postings, centroid weights and story statistics."""
        cap = self.config.postings_cap
        for terms in (vector, title):
            for term, w in terms.items():
                posting = (term, m.article_id, m.story_id, w, m.day)
                plist = self._postings[term]
                plist.append(posting)
                if len(plist) > 2 * cap:
                    del plist[:-cap]  # only the last ``cap`` are ever read
                self._delta.postings.append(posting)
        self._load_centroids(list(vector), [m.story_id])
        stat = self._stats.get(m.story_id)
        norm2 = sum(w * w for w in vector.values())
        if stat is None:
            stat = self._stats[m.story_id] = StoryStat(m.seq, 0, 0.0, None, None)
        stat.sumsq += 2 * cdot.get(m.story_id, 0.0) + norm2
        stat.n += 1
        if m.day is not None:
            stat.lo = m.day if stat.lo is None else min(stat.lo, m.day)
            stat.hi = m.day if stat.hi is None else max(stat.hi, m.day)
        self._dirty_stats.add(m.story_id)
        for term, w in vector.items():
            cell = self._centroids[term]
            cell[m.story_id] = cell.get(m.story_id, 0.0) + w
            self._dirty_centroids.add((term, m.story_id))

    def add_all(self, articles: Iterable[Article]) -> list[Member]:
        """Cluster articles in processing order (:func:`order_key`)."""
        return [self.add(a) for a in sorted(articles, key=order_key)]

    def assignments(self) -> dict[str, str]:
        """article id -> story id (articles of this run)."""
        return {a: m.story_id for a, m in self.members.items()}

    def story_ids(self) -> Sequence[str]:
        """Stories touched in this run."""
        return list(self.stories)

    def delta(self) -> IndexDelta:
        """The rows this run added or changed, with the new header."""
        d = self._delta
        d.meta = json.dumps({"version": STATE_VERSION, "config": asdict(self.config), "seq": self._seq})
        d.centroids = [(t, s, self._centroids[t][s]) for t, s in sorted(self._dirty_centroids)]
        d.stats = [(s, st.first_seq, st.n, st.sumsq, st.lo, st.hi)
                   for s, st in ((s, self._stats[s]) for s in sorted(self._dirty_stats))]
        return d

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

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from hashlib import blake2b
from typing import TypeVar

import numpy as np
from datasketch import MinHash, MinHashLSH

from dateline.models import Article
from dateline.story_dedup import (
    DUPLICATE_JACCARD,
    LSH_THRESHOLD,
    NUM_PERM,
    decode_values,
    encode_signature,
    signature,
)
from dateline.story_tables import NO_DAY, POSTING, IndexDelta, StoryTables, decode_centroid, encode_centroid
from dateline.story_text import background_idf, term_counts

ENTITY_KINDS = frozenset({
    "person", "organisation", "international organisation", "armed group", "government body", "military",
    "political party",
})
"""Entity kinds whose canonical names become clustering keys when :attr:`ClusterConfig.use_entities`."""
STATE_VERSION = 4
_LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r
"""The LSH banding datasketch picks for the duplicate threshold (same candidates as its index)."""
MAX_TERM_ROWS = 4
"""An update appends one row per touched term holding only its new postings (at most the cap); a
term that already has this many rows is rewritten as one row of its last ``postings_cap`` instead."""
K = TypeVar("K")
_RAW = np.dtype((np.void, POSTING.itemsize))
_NO_POSTINGS = np.empty(0, dtype=POSTING)
_NO_KEYS = np.empty(0, dtype=np.int32)
_NO_DOTS = np.empty(0, dtype=np.float64)


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


class StoryStat:
    """What scoring needs of a story: its id, first article's seq (the story's key), size, centroid
    norm², dated range and centroid (term -> sum of its articles' weights). A stored centroid is
    decoded when first used: an update reads the rows of every story its terms' postings name, but
    scores only the candidates."""

    __slots__ = ("_centroid", "_encoded", "first_seq", "hi", "lo", "n", "story_id", "sumsq")

    def __init__(self, story_id: str, first_seq: int, n: int, sumsq: float, lo: int | None, hi: int | None,
                 centroid: dict[str, float] | None = None, encoded: tuple[str, bytes] | None = None) -> None:
        self.story_id, self.first_seq, self.n, self.sumsq, self.lo, self.hi = story_id, first_seq, n, sumsq, lo, hi
        self._centroid = centroid
        self._encoded = encoded

    @property
    def centroid(self) -> dict[str, float]:
        """term -> summed weight (decoded from the stored row on first use)."""
        if self._centroid is None:
            self._centroid = decode_centroid(*self._encoded) if self._encoded is not None else {}
            self._encoded = None
        return self._centroid


class PostingList:
    """A term's postings (:data:`POSTING` records) in processing order, in a buffer that keeps at most
    twice the cap: only the last ``postings_cap`` are ever read. Made from the term's stored rows
    (``stored``: how many), it counts the postings ``added`` since."""

    __slots__ = ("added", "buf", "n", "owned", "stored")

    def __init__(self, stored: np.ndarray | None = None, rows: int = 0) -> None:
        self.buf = _NO_POSTINGS if stored is None else stored
        self.n = len(self.buf)
        self.owned = False
        """False while ``buf`` is a read-only view of the stored rows."""
        self.stored = rows
        self.added = 0

    def tail(self, cap: int) -> np.ndarray:
        """The last ``cap`` postings, oldest first (a view)."""
        return self.buf[max(0, self.n - cap) : self.n]

    def append(self, row: tuple[int, int, int, float], cap: int) -> None:
        """Add one posting (seq, story key, day, weight)."""
        if not self.owned or self.n == len(self.buf):
            keep = self.tail(cap)
            buf = np.empty(max(8, min(2 * cap, 2 * len(keep))), dtype=POSTING)
            buf[: len(keep)] = keep
            self.buf, self.n, self.owned = buf, len(keep), True
        self.buf[self.n] = row
        self.n += 1
        self.added += 1


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


def new_story_id(article_id: str) -> str:
    """The id of a story its first article opens (stable: the same article always opens the same id)."""
    return "s" + article_id[:15]


def order_key(article: Article) -> tuple[str, str]:
    """Processing order: publication (else capture) date, then id; undated articles come last."""
    return (article.dates.published or article.dates.captured or "9999", article.id)


def band_keys(sig: MinHash) -> list[int]:
    """The signature's LSH band keys: a 64-bit hash of (band number, hash values of the band). Two
    signatures share a key when they agree on a whole band (as in datasketch's index); a chance
    collision of the 64-bit keys would only add a candidate, which the Jaccard check then judges."""
    data = np.asarray(sig.hashvalues, dtype=np.uint32).tobytes()
    step = 4 * ROWS
    return [int.from_bytes(blake2b(bytes((b,)) + data[b * step : (b + 1) * step], digest_size=8).digest(), "little",
                           signed=True) for b in range(BANDS)]


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
        self._postings: dict[str, PostingList] = {}
        self._stats: dict[int, StoryStat] = {}
        """story key (first article's seq) -> statistics and centroid."""
        self._bands: dict[int, list[str]] = defaultdict(list)
        self._sigs: dict[str, tuple[np.ndarray, str | None, str]] = {}
        """article id -> (MinHash hash values, canonical article id, story id)."""
        self._features: dict[str, tuple[tuple[MinHash, list[int]] | None,
                                        tuple[dict[str, float], dict[str, float]] | None]] = {}
        """(MinHash, band keys) and (vector, headline vector) of articles :meth:`prefetch` saw, until added."""
        self._loaded_terms: set[str] = set()
        self._loaded_bands: set[int] = set()
        self._loaded_sigs: set[str] = set()
        self._loaded_stories: set[int] = set()
        self._delta = IndexDelta()
        self._dirty_terms: set[str] = set()
        self._dirty_stats: set[int] = set()

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
    def _fresh(self, keys: Iterable[K], loaded: set[K]) -> list[K]:
        """Keys not yet read from the tables (marking them read)."""
        if self.tables is None:
            return []
        fresh = [k for k in dict.fromkeys(keys) if k not in loaded]
        loaded.update(fresh)
        return fresh

    def _load_terms(self, terms: Iterable[str]) -> np.ndarray:
        """Read the posting lists of these terms (their packed rows, batched queries); returns the
        story keys their last ``postings_cap`` postings name (the stored stories they can propose)."""
        fresh = self._fresh(terms, self._loaded_terms)
        if not fresh or self.tables is None:
            return _NO_KEYS
        chunks: dict[str, list[bytes]] = defaultdict(list)
        for term, packed in self.tables.postings(fresh):
            chunks[term].append(packed)
        if not chunks:
            return _NO_KEYS
        # one buffer for all (one join): a view per term is cheaper than an array per term
        data = np.frombuffer(b"".join([packed for rows in chunks.values() for packed in rows]), dtype=POSTING)
        cap = self.config.postings_cap
        ends = np.empty(len(chunks), dtype=np.int64)
        start = 0
        for i, (term, rows) in enumerate(chunks.items()):
            end = start + sum(len(r) for r in rows) // POSTING.itemsize
            self._postings[term] = PostingList(data[start:end], len(rows))
            ends[i] = start = end
        starts = np.concatenate(([0], ends[:-1]))
        edges = np.zeros(len(data) + 1, dtype=np.int64)  # +1 where a term's tail starts, -1 where it ends
        np.add.at(edges, np.maximum(starts, ends - cap), 1)
        np.add.at(edges, ends, -1)
        return np.unique(data["story"][np.cumsum(edges[:-1]) > 0])

    def _load_stats(self, keys: Iterable[int]) -> None:
        """Read the rows (statistics and whole centroid) of these stories not read yet."""
        if self.tables is None:
            return
        fresh = [k for k in keys if k not in self._loaded_stories]
        if fresh:
            self._loaded_stories.update(fresh)
            for key, sid, n, sumsq, lo, hi, terms, weights in self.tables.stories(fresh):
                self._stats[key] = StoryStat(sid, key, n, sumsq, lo, hi, encoded=(terms, weights))

    def _load_bands(self, keys: list[int]) -> None:
        fresh = self._fresh(keys, self._loaded_bands)
        if fresh and self.tables is not None:
            rows = self.tables.bands(fresh)
            for key, aid in rows:
                self._bands[key].append(aid)
            need = self._fresh((aid for _, aid in rows), self._loaded_sigs)
            for aid, sig, canonical, story in self.tables.signatures(need) if need else ():
                self._sigs[aid] = (decode_values(sig), canonical, story)

    def _vectors(self, article: Article) -> tuple[dict[str, float], dict[str, float]]:
        """The article's TF-IDF vector and headline vector."""
        extra = entity_keys(article) if self.config.use_entities else []
        vector = self._idf.weigh(term_counts(article.text, article.title, extra))
        title = {"^" + t: w for t, w in self._idf.title_vector(article.title).items()}
        return vector, title

    def prefetch(self, articles: Sequence[Article]) -> None:
        """Read, in a few batched queries, the index rows that adding these articles will need and
        that are known in advance: the band rows (and signatures) of their MinHash keys, then the
        posting lists of the terms of those that are not copies of a stored article, then the rows
        of the stories those lists name (every stored story that can be a candidate; centroids are
        decoded only for those scored). The features computed here are kept for :meth:`add`; adding
        the articles without a prefetch reads the same rows, a few at a time, and decides the same."""
        if self.tables is None:
            return
        todo = [a for a in articles if a.id not in self.members]
        sigs = {a.id: self._sketch(a) for a in todo}
        self._load_bands([k for sig in sigs.values() if sig is not None for k in sig[1]])
        terms: dict[str, None] = {}
        for article in todo:
            sig = sigs[article.id]
            if sig is not None and self._duplicate_of(*sig, load=False) is not None:  # bands read above
                self._features[article.id] = (sig, None)
                continue
            vectors = self._vectors(article)
            self._features[article.id] = (sig, vectors)
            terms.update(dict.fromkeys(vectors[0]))
            terms.update(dict.fromkeys(vectors[1]))
        self._load_stats(self._load_terms(terms).tolist())

    # -- clustering --------------------------------------------------------------------------
    def add(self, article: Article) -> Member:
        """Cluster one article (idempotent within a run: an article already added keeps its story)."""
        if article.id in self.members:
            return self.members[article.id]
        day = article_day(article)
        self._seq += 1
        prefetched = article.id in self._features  # its band rows and (with vectors) term rows are read
        if prefetched:
            sig, vectors = self._features.pop(article.id)
        else:
            sig, vectors = self._sketch(article), None
        # prefetch found no stored copy of an article it made vectors for: only this run's can be one
        copy = (self._duplicate_of(*sig, load=not prefetched, run_only=vectors is not None)
                if sig is not None else None)
        if copy is not None:
            canonical, story_id = copy
            member = Member(article.id, story_id, self._seq, day, canonical, 1.0)
        else:
            vector, title = vectors or self._vectors(article)
            joined, score, cdot = self._best_story(vector, title, day, load=vectors is None)
            key = self._seq if joined is None else joined
            story_id = new_story_id(article.id) if joined is None else self._stats[joined].story_id
            member = Member(article.id, story_id, self._seq, day, None, score)
            self._index(member, key, vector, title, cdot)
        if sig is not None:
            self._add_signature(article.id, *sig, member.canonical_id, member.story_id)
        self.members[article.id] = member
        self.stories[member.story_id].append(article.id)
        return member

    @staticmethod
    def _sketch(article: Article) -> tuple[MinHash, list[int]] | None:
        """The article's MinHash and its band keys (None: too short to compare)."""
        sig = signature(article.text)
        return None if sig is None else (sig, band_keys(sig))

    def _duplicate_of(self, sig: MinHash, keys: list[int], load: bool = True,
                      run_only: bool = False) -> tuple[str, str] | None:
        """(canonical article, its story) of the best earlier copy at the duplicate threshold
        (``load=False``: the band rows of ``keys`` are already read; ``run_only``: no stored article
        reaches the threshold, so only those added in this run are compared: the same answer)."""
        if load:
            self._load_bands(keys)
        best: tuple[str, float] | None = None
        values = sig.hashvalues
        near = {a for k in keys for a in self._bands.get(k, ())}
        for other in sorted(near & self.members.keys() if run_only else near):
            j = float(np.count_nonzero(values == self._sigs[other][0])) / len(values)  # = MinHash.jaccard
            if j >= DUPLICATE_JACCARD and (best is None or j > best[1]):
                best = (other, j)
        if best is None:
            return None
        _, canonical, story = self._sigs[best[0]]
        return canonical or best[0], story

    def _add_signature(self, article_id: str, sig: MinHash, keys: list[int], canonical: str | None,
                       story: str) -> None:
        self._sigs[article_id] = (sig.hashvalues, canonical, story)
        self._delta.signatures.append((article_id, encode_signature(sig), canonical, story))
        for key in keys:
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

    def _single_link(self, terms: dict[str, float], day: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(story keys, best dot product with one of the story's articles) over the most recent
        ``postings_cap`` postings of each term, skipping articles beyond the horizon; stories with
        no positive dot are left out. Each article's dot is summed term by term in the order of
        ``terms`` (bincount adds in array order), so it is the same float in a rebuild and an update."""
        cap = self.config.postings_cap
        parts: list[np.ndarray] = []
        weights: list[float] = []
        for term, weight in terms.items():
            plist = self._postings.get(term)
            if plist is not None and plist.n:
                parts.append(plist.tail(cap).view(_RAW))
                weights.append(weight)
        if not parts:
            return _NO_KEYS, _NO_DOTS
        rows = np.concatenate(parts).view(POSTING)  # as raw records: concatenating structured arrays is slow
        dots = np.repeat(np.asarray(weights), [len(p) for p in parts]) * rows["weight"]
        if day is not None:
            mday = rows["day"].astype(np.int64)
            near = (mday == NO_DAY) | (np.abs(mday - day) <= self.config.horizon_days)
            if not near.all():
                rows, dots = rows[near], dots[near]
                if not len(rows):
                    return _NO_KEYS, _NO_DOTS
        articles, first, inverse = np.unique(rows["seq"], return_index=True, return_inverse=True)
        acc = np.bincount(inverse.ravel(), weights=dots, minlength=len(articles))
        story = rows["story"][first]
        order = np.argsort(story, kind="stable")
        story = story[order]
        starts = np.flatnonzero(np.concatenate(([True], story[1:] != story[:-1])))
        best = np.maximum.reduceat(acc[order], starts)
        keys = story[starts]
        positive = best > 0
        return keys[positive], best[positive]

    def _best_story(self, vector: dict[str, float], title: dict[str, float], day: int | None,
                    load: bool = True) -> tuple[int | None, float, dict[int, float]]:
        """Candidates are the stories named by the most recent ``postings_cap`` postings of the
        article's terms; the best ``centroid_candidates`` of them by single link (ties: the story
        whose first article came first) and every story the headline route reaches are then scored
        as a whole. Per-article cost does not grow with the index, and a rebuild makes exactly the
        same choices. Returns (the chosen story's key or None, its score, centroid dots by key);
        ``load=False``: the posting rows of the article's terms are already read (:meth:`prefetch`)."""
        cfg = self.config
        if load:
            self._load_terms([*vector, *title])
        single_keys, single_dots = self._single_link(vector, day)
        title_keys, title_dots = self._single_link(title, day)
        ranked = np.lexsort((single_keys, -single_dots))[: cfg.centroid_candidates]
        best_single = dict(zip(single_keys.tolist(), single_dots.tolist(), strict=True))
        best_title = dict(zip(title_keys.tolist(), title_dots.tolist(), strict=True))
        candidates = sorted(set(single_keys[ranked].tolist()) | set(best_title))
        self._load_stats(candidates)
        cdot: dict[int, float] = {}
        scored: list[tuple[float, int, str, float]] = []
        for key in candidates:
            stat = self._stats[key]
            centroid = stat.centroid
            dot = 0.0
            for term, weight in vector.items():
                cw = centroid.get(term)
                if cw is not None:
                    dot += weight * cw
            cdot[key] = dot
            penalty = self._penalty(day, stat)
            if penalty is None:
                continue
            cos = cfg.alpha * best_single.get(key, 0.0)
            cos += (1 - cfg.alpha) * (dot / math.sqrt(stat.sumsq) if stat.sumsq > 0 else 0.0)
            margin = cos - cfg.threshold - penalty
            if key in best_title:
                margin = max(margin, best_title[key] - cfg.title_threshold - penalty)
            if margin >= 0:
                scored.append((-margin, stat.first_seq, stat.story_id, cos))
        if not scored:
            return None, 0.0, cdot
        _, key, _, cos = min(scored)
        return key, cos, cdot

    def _index(self, m: Member, key: int, vector: dict[str, float], title: dict[str, float],
               cdot: dict[int, float]) -> None:
        """Add an original article's postings, centroid weights and story statistics."""
        cap = self.config.postings_cap
        day = NO_DAY if m.day is None else m.day
        for terms in (vector, title):
            for term, w in terms.items():
                plist = self._postings.get(term)
                if plist is None:
                    plist = self._postings[term] = PostingList()
                plist.append((m.seq, key, day, w), cap)
                self._dirty_terms.add(term)
        stat = self._stats.get(key)
        if stat is None:
            stat = self._stats[key] = StoryStat(m.story_id, m.seq, 0, 0.0, None, None, centroid={})
        stat.sumsq += 2 * cdot.get(key, 0.0) + sum(w * w for w in vector.values())
        stat.n += 1
        if m.day is not None:
            stat.lo = m.day if stat.lo is None else min(stat.lo, m.day)
            stat.hi = m.day if stat.hi is None else max(stat.hi, m.day)
        centroid = stat.centroid
        for term, w in vector.items():
            centroid[term] = centroid.get(term, 0.0) + w
        self._dirty_stats.add(key)

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
        cap = self.config.postings_cap
        d.postings, d.replace_terms = [], []
        for term in sorted(self._dirty_terms):
            plist = self._postings[term]
            if plist.stored >= MAX_TERM_ROWS:
                d.replace_terms.append(term)
                d.postings.append((term, plist.tail(cap).tobytes()))
            else:
                d.postings.append((term, plist.tail(min(cap, plist.added)).tobytes()))
        d.stories = [(k, st.story_id, st.n, st.sumsq, st.lo, st.hi, *encode_centroid(st.centroid))
                     for k, st in ((k, self._stats[k]) for k in sorted(self._dirty_stats))]
        return d

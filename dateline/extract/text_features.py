"""Hand-crafted features of the lines of a flattened page, for the body/boilerplate line model.

Each line gets *local* features (how prose-like it is, whether it reads like a menu item, a byline,
a share bar...) and *context* features (how prose-like its neighbourhood is, where it sits relative
to the page's densest run of prose).  Context matters because a short line between two paragraphs
is usually body (a subheading) while the same short line in a run of menu items is navigation.

Everything here is language-light and site-agnostic: no rule names a particular site.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray

_WORD = re.compile(r"\w+")
_SENT_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_SENT_INSIDE = re.compile(r"[a-z0-9%)\"”’][.!?][\"'”’]?\s+[A-Z\"“‘(]")
_SEPARATORS = re.compile(r"[|»›•·>/]")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LIKE = re.compile(
    rf"(?:\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}\b|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?)",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|posted by|written by|words by|von|par|por)\s+\S", re.IGNORECASE)
_COMMENT_END = re.compile(r"\b(?:says|said on|wrote|reply|replies|permalink|report abuse|flag|like|dislike)\s*:?$")
_COMMENT_ANY = re.compile(
    r"\b\d+\s+(?:comments?|responses?|replies)\b|\bcomments?\s*\(\d+\)|\b(?:leave|post|add)\s+a\s+(?:comment|reply)"
)
# Furniture that closes an article: "Posted in X | 3 Comments", "Tags:", "Related posts", "About
# the author", "Leave a reply", "Trackback".  A body line rarely reads like this; what follows such
# a line after the main text is usually a comment thread or a sidebar.
_END_MARKER = re.compile(
    r"^(?:posted|filed|published|written|categori[sz]ed)\b.{0,80}?\b(?:in|under|by|at|on)\b"
    r"|^(?:tags?|tagged(?: with)?|categor(?:y|ies)|filed under|labels?|topics?|keywords?)\s*[:|]"
    r"|\b(?:related|similar|recent|popular|more|previous|next|older|newer)\s+"
    r"(?:posts?|articles?|stories|entries|entry|reading|coverage)\b"
    r"|\babout the author\b|\btrack ?backs?\b|\bpingbacks?\b|\bpermalink\b"
    r"|\b(?:leave|post|add|write|submit)\s+(?:an?\s+|your\s+)?(?:comment|reply|response)s?\b"
    r"|^\W*(?:\d+|no|one)\s+(?:comments?|responses?|replies|thoughts)\b|^comments?\b\W*$|\bshare this\b",
    re.IGNORECASE,
)
_CLOCKISH = re.compile(r"^\s*\d{1,2}:\d{2}")
_UPPER_START = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-ÞĀ-Ž]")
_DIGIT = re.compile(r"\d")
_SLUG_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=1)
def word_lists() -> dict[str, tuple[str, ...]]:
    """The word lists of ``dateline/data/text_lexicon.txt``, by ``[section]`` name, lowercased."""
    lists: dict[str, list[str]] = {}
    current: list[str] = []
    text = resources.files("dateline").joinpath("data/text_lexicon.txt").read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = lists.setdefault(line[1:-1], [])
        else:
            current.append(line.lower())
    return {name: tuple(words) for name, words in lists.items()}


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Stopwords, exact boilerplate phrases, and boilerplate keywords."""
    lists = word_lists()
    return frozenset(lists["stopwords"]), frozenset(lists["phrases"]), frozenset(lists["keywords"])


def _is_commentish(lower: str) -> bool:
    """Comment-thread furniture: "John says:", "12 comments", "Leave a reply" (lowercase input)."""
    if _COMMENT_END.search(lower[-24:]):
        return True
    return ("comment" in lower or "repl" in lower or "respons" in lower) and _COMMENT_ANY.search(lower) is not None


def _has_keyword(words: list[str], keywords: frozenset[str]) -> bool:
    """True when a word or two-word phrase of the (lowercase) line is a boilerplate keyword.

    Set look-ups rather than one big regex alternation: Python's regex engine tries every
    alternative at every position, which made this the slowest feature.
    """
    if not keywords.isdisjoint(words):
        return True
    return any(f"{a} {b}" in keywords for a, b in itertools.pairwise(words))


def stopwords() -> frozenset[str]:
    """English function words used for the stopword-density feature."""
    return _lexicon()[0]


def phrase_key(line: str) -> str:
    """A line reduced to lowercase words, for comparing it with boilerplate phrases."""
    return " ".join(_WORD.findall(line.lower()))


def is_boilerplate_phrase(line: str) -> bool:
    """True when the whole line is a known interface phrase ("Listen Live", "Get short URL")."""
    return phrase_key(line) in _lexicon()[1]


LOCAL_NAMES: tuple[str, ...] = (
    "bias",
    "log_words",
    "log_chars",
    "words_le2",
    "words_3_6",
    "words_7_15",
    "words_16_40",
    "words_gt40",
    "ends_sentence",
    "inner_sentences",
    "stop_ratio",
    "cap_ratio",
    "digit_ratio",
    "punct_ratio",
    "comma_ratio",
    "separators",
    "phrase",
    "keyword",
    "byline",
    "date_like",
    "commentish",
    "clockish",
    "duplicate",
    "template",
    "rel_pos",
    "starts_lower",
    "mean_word_len",
    "end_marker",
)


def local_features(lines: Sequence[str], template: Sequence[bool] | None = None) -> NDArray[np.float64]:
    """One row of local features per line (see :data:`LOCAL_NAMES`)."""
    stop, phrases, keywords = _lexicon()
    counts = Counter(lines)
    n = len(lines)
    rows: list[tuple[float, ...]] = []
    denom = max(n - 1, 1)
    for i, line in enumerate(lines):
        nc = len(line)
        # Ratios are read from the head of long lines only: they are stable after a few hundred
        # characters, and scanning whole paragraphs with several regexes dominated the run time.
        head = line if nc <= 400 else line[:400]
        words = _WORD.findall(head)
        nw = len(words) if nc <= 400 else len(line.split())
        nh = len(words)
        hc = len(head)
        lower = head.lower()
        lower_words = lower.split() if nh > 12 else _WORD.findall(lower)
        key = " ".join(lower_words) if nh <= 12 else ""
        caps = len(_UPPER_START.findall(head))
        # Splitting on spaces leaves punctuation on some words ("said,"), which only undercounts.
        stops = sum(map(stop.__contains__, lower_words))
        total_len = sum(map(len, words))
        digits = len(_DIGIT.findall(head))
        punct = hc - total_len - head.count(" ")
        short = nw <= 12
        rows.append(
            (
                1.0,
                math.log1p(nw),
                math.log1p(nc),
                nw <= 2,
                3 <= nw <= 6,
                7 <= nw <= 15,
                16 <= nw <= 40,
                nw > 40,
                _SENT_END.search(line[-4:]) is not None,
                min(len(_SENT_INSIDE.findall(head)), 5) / 5.0 if nh > 6 else 0.0,
                stops / nh if nh else 0.0,
                caps / nh if nh else 0.0,
                digits / hc if hc else 0.0,
                punct / hc if hc else 0.0,
                head.count(",") / nh if nh else 0.0,
                min(len(_SEPARATORS.findall(head)), 3) / 3.0,
                key in phrases,
                short and ("©" in head or _has_keyword(lower_words, keywords)),
                short and _BYLINE.match(line) is not None,
                short and digits > 0 and _DATE_LIKE.search(head) is not None,
                nw <= 25 and _is_commentish(lower),
                nw <= 10 and _CLOCKISH.match(line) is not None,
                counts[line] > 1,
                bool(template[i]) if template is not None else False,
                i / denom,
                line[:1].islower(),
                min(total_len / nh, 12.0) / 12.0 if nh else 0.0,
                nw <= 20 and _END_MARKER.search(head) is not None,
            )
        )
    return np.array(rows, dtype=np.float64).reshape(n, len(LOCAL_NAMES))


def prose_score(local: NDArray[np.float64]) -> NDArray[np.float64]:
    """A hand-set score per line: positive for prose, negative for boilerplate-looking lines.

    Used to find the densest run of prose (maximum-sum contiguous segment) before any learning,
    which gives the model a notion of "the main block" that single lines lack.
    """
    col = {name: j for j, name in enumerate(LOCAL_NAMES)}
    words = np.expm1(local[:, col["log_words"]])
    prose = (local[:, col["stop_ratio"]] > 0.15) & (words >= 10)
    score = np.where(prose, np.minimum(words, 120.0), -np.minimum(words, 8.0) - 3.0)
    score = score + 10.0 * local[:, col["ends_sentence"]] * (words >= 6)
    score = score - 20.0 * (local[:, col["phrase"]] + local[:, col["commentish"]] + local[:, col["template"]])
    return np.asarray(score, dtype=np.float64)


def best_segment(score: NDArray[np.float64]) -> tuple[int, int]:
    """The maximum-sum contiguous segment ``[start, end)`` of ``score`` (Kadane); ``(0, 0)`` if none."""
    best, best_start, best_end = 0.0, 0, 0
    run, run_start = 0.0, 0
    for i, s in enumerate(score.tolist()):
        if run <= 0.0:
            run, run_start = 0.0, i
        run += s
        if run > best:
            best, best_start, best_end = run, run_start, i + 1
    return best_start, best_end


def _window_mean(x: NDArray[np.float64], radius: int) -> NDArray[np.float64]:
    """Mean of ``x`` over a centred window (edges use the part of the window inside the page)."""
    n = len(x)
    c = np.concatenate(([0.0], np.cumsum(x)))
    idx = np.arange(n)
    lo = np.maximum(idx - radius, 0)
    hi = np.minimum(idx + radius + 1, n)
    return np.asarray((c[hi] - c[lo]) / (hi - lo), dtype=np.float64)


def _shift(x: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """``x`` moved by ``k`` lines (positive: the value of the line ``k`` above), zero-padded."""
    out = np.zeros_like(x)
    if k > 0:
        out[k:] = x[:-k]
    elif k < 0:
        out[:k] = x[-k:]
    else:
        out[:] = x
    return out


def segment_features(n: int, start: int, end: int) -> NDArray[np.float64]:
    """Where each line sits relative to a segment: inside, before, after, log distance to it."""
    idx = np.arange(n, dtype=np.float64)
    inside = (idx >= start) & (idx < end)
    before = idx < start
    after = idx >= end
    dist = np.where(before, start - idx, np.where(after, idx - end + 1, 0.0))
    return np.stack([inside, before, after, np.log1p(dist) / 5.0], axis=1).astype(np.float64)


CONTEXT_NAMES = ("prev_", "next_", "prev2_", "next2_", "win3_", "win10_")
_CONTEXT_COLS = ("log_words", "ends_sentence", "stop_ratio", "phrase", "keyword", "separators", "end_marker")
PAGE_NAMES = ("rel_len", "dist_longest", "after_comment", "dist_prose", "slug_overlap")


def _distance_to(flags: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Per line, the number of lines to the nearest flagged line (n when none is flagged)."""
    n = len(flags)
    idx = np.arange(n)
    where = np.flatnonzero(flags)
    if len(where) == 0:
        return np.full(n, float(n))
    pos = np.searchsorted(where, idx)
    left = where[np.clip(pos - 1, 0, len(where) - 1)]
    right = where[np.clip(pos, 0, len(where) - 1)]
    return np.asarray(np.minimum(np.abs(idx - left), np.abs(right - idx)), dtype=np.float64)


def slug_words(url: str | None) -> frozenset[str]:
    """Lowercase words of the wordiest path segment of a URL (its slug), without file suffixes."""
    if not url:
        return frozenset()
    path = urlsplit(url).path
    best = max(path.split("/"), key=lambda seg: len(_SLUG_WORD.findall(seg)), default="")
    return frozenset(w.lower() for w in _SLUG_WORD.findall(best)) - {"html", "htm", "php", "aspx", "shtml"}


def page_level_features(lines: Sequence[str], local: NDArray[np.float64], url: str | None) -> NDArray[np.float64]:
    """Features relative to the whole page (see :data:`PAGE_NAMES`)."""
    col = {name: j for j, name in enumerate(LOCAL_NAMES)}
    log_words = local[:, col["log_words"]]
    n = len(lines)
    longest = int(np.argmax(log_words))
    idx = np.arange(n, dtype=np.float64)
    # Comment threads follow a "12 comments" / "Leave a reply" line: flag everything after the first.
    commentish = local[:, col["commentish"]] > 0
    after = np.asarray(np.cumsum(commentish) - commentish > 0, dtype=np.float64)
    prose = (log_words >= np.log1p(15)) & (local[:, col["stop_ratio"]] >= 0.2)
    slug = slug_words(url)
    overlap = np.zeros(n)
    if len(slug) >= 3:
        for i, line in enumerate(lines):
            if local[i, col["log_words"]] <= np.log1p(30):
                overlap[i] = len(slug.intersection(w.lower() for w in _WORD.findall(line))) / len(slug)
    return np.stack(
        [
            log_words - log_words.max(),
            np.log1p(np.abs(idx - longest)) / 5.0,
            after,
            np.log1p(_distance_to(prose)) / 5.0,
            overlap,
        ],
        axis=1,
    )


def page_features(
    lines: Sequence[str], template: Sequence[bool] | None = None, url: str | None = None
) -> NDArray[np.float64]:
    """The full stage-one feature matrix for a page's (non-empty, normalised) lines."""
    n = len(lines)
    local = local_features(lines, template)
    if n == 0:
        return np.zeros((0, stage_one_width()), dtype=np.float64)
    col = {name: j for j, name in enumerate(LOCAL_NAMES)}
    ctx = []
    for name in _CONTEXT_COLS:
        x = local[:, col[name]]
        ctx += [_shift(x, 1), _shift(x, -1), _shift(x, 2), _shift(x, -2), _window_mean(x, 3), _window_mean(x, 10)]
    score = prose_score(local)
    start, end = best_segment(score)
    seg = segment_features(n, start, end)
    return np.hstack([local, np.stack(ctx, axis=1), seg, page_level_features(lines, local, url)])


def stage_one_width() -> int:
    """Number of stage-one features."""
    return len(LOCAL_NAMES) + len(CONTEXT_NAMES) * len(_CONTEXT_COLS) + 4 + len(PAGE_NAMES)

"""The article body of a parsed page: trafilatura's outputs, chosen and cleaned.

trafilatura does the extraction.  On top of it:

* two candidates come from trafilatura: its own extractor in precision mode (``fast=True``, i.e.
  without its internal readability/jusText comparison) and the readability algorithm it ships
  (:func:`trafilatura.external.try_readability`).  Instead of trafilatura's length rules, the
  candidate whose tokens agree best with a recall-heavy reference text of the page
  (:mod:`dateline.extract.html_reference`) wins: precision mode sometimes keeps a fragment or a
  teaser and loses the article, readability sometimes keeps a comment thread or a link list, and
  the reference, which holds the whole main column, tells them apart;
* when both candidates are empty, trafilatura's recall mode is the last resort;
* a repeated headline and residual boilerplate lines (share bars, copyright notes,
  "advertisement", table debris) are dropped and reported.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement

from dateline.extract.html_reference import reference_text

_log = logging.getLogger(__name__)

MAX_TREE_SIZE = 50_000
"""trafilatura discards outputs with more elements than this (bounds the work on huge pages)."""

_WORD = re.compile(r"\w+")


def _config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    return config


_CONFIG = _config()


@dataclass(frozen=True)
class Body:
    """The extracted body, the lines removed from it as boilerplate, and the candidate that won."""

    text: str
    removed: tuple[str, ...] = ()
    mode: str = "precision"


def _run(tree: HtmlElement, url: str | None, **options: Any) -> str:
    try:
        out = trafilatura.extract(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            config=_CONFIG,
            **options,
        )
    except Exception as exc:  # trafilatura on hostile markup: no text rather than no run
        _log.debug("trafilatura failed: %r", exc)
        return ""
    return out or ""


_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 table tr td th blockquote pre section article header footer "
    "aside nav figure figcaption dd dt dl hr form".split()
)


def element_lines(root: HtmlElement) -> str:
    """Visible text of an element, one line per block element (the element is modified)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    text: str = root.text_content()
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _readability(tree: HtmlElement) -> str:
    """The readability candidate: trafilatura's bundled readability on a copy of the tree."""
    from trafilatura.external import try_readability

    try:
        summary = try_readability(deepcopy(tree))
        return element_lines(summary) if len(summary) or summary.text else ""
    except Exception as exc:  # readability on hostile markup: no candidate
        _log.debug("readability failed: %r", exc)
        return ""


_SENTENCE_END = re.compile(r"[.!?\"”’)…]\s*$")
PROSE_LINE_WORDS = 10
"""A line of at least this many words that ends like a sentence counts as prose."""


def prose_stats(text: str) -> tuple[int, int]:
    """``(words, prose_words)``: all words, and words on sentence-like lines of ≥10 words."""
    words = prose = 0
    for line in text.split("\n"):
        n = len(_WORD.findall(line))
        words += n
        if n >= PROSE_LINE_WORDS and _SENTENCE_END.search(line) and line.count("|") < 2:
            prose += n
    return words, prose


MIN_BODY_WORDS_AFTER_HEADLINE = 15


def _letters(s: str) -> str:
    return "".join(ch for ch in s.casefold() if ch.isalnum())


def strip_headline(lines: list[str], title: str | None) -> list[str]:
    """Drop a first line that repeats the headline: the body is the text under the headline.

    An extraction that holds little besides the headline is left whole (nothing else to return).
    """
    if title and lines and _letters(lines[0]) == _letters(title) and _letters(title):
        rest = lines[1:]
        if sum(len(_WORD.findall(line)) for line in rest) >= MIN_BODY_WORDS_AFTER_HEADLINE:
            return rest
    return lines


def token_bag(text: str) -> Counter[str]:
    """The ``\\w+`` tokens of a text with their counts."""
    return Counter(_WORD.findall(text))


def agreement(candidate: Counter[str], reference: Counter[str]) -> float:
    """Bag-of-tokens F1 between a candidate and the reference (0 when either is empty)."""
    tp = sum((candidate & reference).values())
    if not tp:
        return 0.0
    precision = tp / sum(candidate.values())
    recall = tp / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


SUBSTANTIAL_WORDS = 200
"""A precision-mode candidate of at least this many words is an article, not a fragment..."""
CONTAINER_RATIO = 3.0
"""...and a readability candidate over this many times longer has taken the surrounding container."""


def _clean(text: str, title: str | None) -> tuple[list[str], list[str]]:
    lines = strip_headline([line for line in text.split("\n") if line.strip()], title)
    return remove_boilerplate(lines)


def extract_body(
    tree: HtmlElement, url: str | None = None, title: str | None = None, html: str | None = None
) -> Body:
    """Extract the article body from a parsed page (the tree is not modified).

    Two candidates (trafilatura's precision mode without its fallbacks, and its bundled
    readability), each without a repeated headline and residual boilerplate, are compared with
    the page's reference text (from ``html`` when given, else from the tree); the one that agrees
    best wins, precision mode on a tie, unless readability is over ``CONTAINER_RATIO`` times longer
    than a substantial precision candidate.  Both empty: trafilatura's recall mode.
    """
    candidates = {
        "precision": _clean(_run(tree, url, favor_precision=True, fast=True), title),
        "readability": _clean(_readability(tree), title),
    }
    bags = {name: token_bag("\n".join(kept)) for name, (kept, _) in candidates.items()}
    if any(bags.values()):
        reference = token_bag(reference_text(html, tree))
        mode = max(candidates, key=lambda name: (agreement(bags[name], reference), name == "precision"))
        precise, broad = sum(bags["precision"].values()), sum(bags["readability"].values())
        if mode == "readability" and precise >= SUBSTANTIAL_WORDS and broad > CONTAINER_RATIO * precise:
            mode = "precision"  # readability took a whole container (comments, a list of stories)
        if not bags[mode]:
            mode = next(name for name in candidates if bags[name])
        kept, removed = candidates[mode]
    else:
        mode = "recall"
        kept, removed = _clean(_run(tree, url, favor_recall=True), title)
    return Body(text="\n".join(kept), removed=tuple(removed), mode=mode)


# --------------------------------------------------------------------------- residual boilerplate

_UI_WORDS = frozenset(
    {
        "advertisement", "advertisements", "advert", "ad", "sponsored", "sponsor", "search", "tweet",
        "share", "print", "email", "e-mail", "comments", "comment", "related", "more", "next", "previous",
        "prev", "home", "menu", "loading", "font", "close", "print this", "click to enlarge", "read more",
        "continue reading", "back to top", "related content", "related posts", "related post",
        "related articles", "related stories", "related links", "related topics", "follow us", "share this",
        "share this article", "share this story", "reprints", "reprint", "subscribe", "sign up", "log in",
        "login", "permalink", "trackback", "top stories", "most popular", "most read", "you may also like",
        "recommended", "see also", "watch video", "view gallery", "photos", "video", "start quote",
        "end quote",
    }
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_SOCIAL = re.compile(
    r"^(?:(?:follow|like|join|find)\s+(?:us|me|\w+(?:\s\w+){0,4})\s+on\s+(?:twitter|facebook|instagram|google)"
    r"|(?:twitter|facebook|instagram|e-?mail|website|web)\s*:\s*\S+$|@\w+$)",
    re.IGNORECASE,
)
_NAV = re.compile(r"^«.*\|.*»?$|^.*\|\s*main\s*\|.*»$", re.IGNORECASE)
_RELATED_HEAD = re.compile(r"^(?:related|more|see also|also on|read more|recommended)\b.{0,40}:$", re.IGNORECASE)


def _ui_key(line: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", line.lower()).split())


def _table_debris(line: str) -> bool:
    if line.count("|") < 2:
        return False
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    empty = sum(not c for c in cells)
    words = len(_WORD.findall(line))
    filled = [c for c in cells if c]
    return words <= 12 and (empty * 2 >= len(cells) or all(_ui_key(c) in _UI_WORDS for c in filled))


def is_boilerplate_line(line: str) -> bool:
    """Whether one body line is residual page furniture (share bars, copyright, table debris)."""
    s = line.strip()
    if not s:
        return False
    words = len(_WORD.findall(s))
    if _ui_key(s) in _UI_WORDS:
        return True
    if words <= 25 and _COPYRIGHT.match(s) and ("rights" in s.lower() or _YEAR.search(s)):
        return True
    if words <= 15 and _SOCIAL.match(s):
        return True
    return bool(_NAV.match(s) or _table_debris(s))


def remove_boilerplate(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split body lines into kept lines and residual boilerplate lines (in order)."""
    kept: list[str] = []
    removed: list[str] = []
    in_related = False
    for line in lines:
        s = line.strip()
        if in_related and s.startswith(("- ", "• ", "* ")):
            removed.append(line)
            continue
        in_related = False
        if _RELATED_HEAD.match(s):
            in_related = True
            removed.append(line)
        elif is_boilerplate_line(s):
            removed.append(line)
        else:
            kept.append(line)
    return kept, removed

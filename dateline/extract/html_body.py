"""The article body of a parsed page: trafilatura's outputs, chosen and cleaned.

trafilatura does the extraction.  On top of it:

* precision mode is the main output (it keeps less navigation and fewer teasers than the
  default); when much of it is not prose, the recall-mode output is computed too and taken when
  it holds clearly more prose (precision mode sometimes keeps a fragment and loses the article);
* residual boilerplate lines (share bars, copyright notes, "advertisement", table debris) are
  dropped and reported.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement

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
    """The extracted body and the lines removed from it as boilerplate."""

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


_SENTENCE_END = re.compile(r"[.!?\"”’)…]\s*$")
PROSE_LINE_WORDS = 10
"""A line of at least this many words that ends like a sentence counts as prose."""
WEAK_PROSE_SHARE = 0.7
"""Below this share of prose words the precision output is double-checked against recall mode."""
RECALL_MARGIN_WORDS = 50
"""Recall mode replaces precision mode only when it holds this many more prose words."""


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


def extract_body(tree: HtmlElement, url: str | None = None, title: str | None = None) -> Body:
    """Extract the article body from a parsed page (the tree is not modified).

    trafilatura's precision mode runs first.  When under ``WEAK_PROSE_SHARE`` of its words sit on
    prose lines (a sign it kept furniture or lost the article), recall mode runs too and wins if it
    has ``RECALL_MARGIN_WORDS`` more prose words.  Then a repeated headline and residual boilerplate
    lines are removed.
    """
    text = _run(tree, url, favor_precision=True)
    mode = "precision"
    words, prose = prose_stats(text)
    if prose < WEAK_PROSE_SHARE * words or words == 0:
        recall = _run(tree, url, favor_recall=True)
        if prose_stats(recall)[1] > prose + RECALL_MARGIN_WORDS:
            text, mode = recall, "recall"
    lines = strip_headline([line for line in text.split("\n") if line.strip()], title)
    kept, removed = remove_boilerplate(lines)
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

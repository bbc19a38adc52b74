"""Metadata carried by the boilerplate lines of a flattened page.

Once the body lines are known, the lines around them say more: the header holds the page clock,
the section and a series link, the footer a list of related headlines and a tag line.  Every
detector here is deliberately conservative: a wrong title or section is worse than none, so each
one needs a line of the right shape *in the right place* (header = just before the body,
footer = just after it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from dateline.extract.dateline import MONTH_NAMES
from dateline.extract.dates import normalize_date, parse_page_clock
from dateline.extract.text_features import is_boilerplate_phrase, phrase_key, word_lists
from dateline.models import Series

_CLOCK_SHAPE = re.compile(
    r"^(?:updated:?\s*)?(?:\d{1,2}:\d{2}\D{0,8}\d{1,2}[ .\-/]\w{1,9}[ .\-/]\d{4}"
    r"|\d{1,2}[ .\-/]\w{1,9}[ .\-/]\d{4}\s*,?\s*\d{1,2}:\d{2}\D{0,6})$",
    re.IGNORECASE,
)
_SERIES = re.compile(r"^(?P<name>[A-Z0-9\"“'‘][^()]{2,80}?)\s*\((?P<count>\d{1,6})\)$")
_NOT_SERIES = re.compile(
    r"\b(?:comments?|repl(?:y|ies)|responses?|photos?|images?|videos?|posts?|articles?|items?|results?"
    r"|votes?|likes?|shares?|followers?|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d{4})\b",
    re.IGNORECASE,
)
_TAG_PREFIX = re.compile(r"^(?:tags?|topics?|keywords?|filed under|tagged(?: with)?)\s*[:\-–—]\s*(?P<rest>.+)$", re.I)
_TAG_SPLIT = re.compile(r"\s*[,;|]\s*")
_BREADCRUMB_SPLIT = re.compile(r"\s*[>»›/|]\s*")
_HEADLINE_END_BAD = re.compile(r"[.,;:]$")
_WORD = re.compile(r"\w+")
_GLUED = re.compile(r"[a-z][A-Z]")

HEADER_WINDOW = 8
"""How many lines above the body are searched for the section, series and title."""
FOOTER_WINDOW = 15
"""How many lines below the body are searched for related headlines and tags."""


def find_page_clock(lines: Sequence[str], is_body: Sequence[bool]) -> tuple[int, str] | None:
    """The first non-body line that is a site-header clock, as ``(index, ISO time)``.

    A cheap shape test runs first: :func:`parse_page_clock` calls dateparser, which is slow.
    """
    for i, line in enumerate(lines):
        if is_body[i] or len(line) > 40 or not _CLOCK_SHAPE.match(line):
            continue
        iso = parse_page_clock(line)
        if iso:
            return i, iso
    return None


def parse_series(line: str) -> Series | None:
    """``Russia Versus ISIL in Syria (618)`` -> ``Series(name, 618)``; None for other lines.

    Counters that are not a story series (comments, photos, archive months) are refused.
    """
    m = _SERIES.match(line)
    if not m or _NOT_SERIES.search(m.group("name")):
        return None
    name = m.group("name").strip()
    if len(_WORD.findall(name)) < 2:
        return None
    return Series(name=name, count=int(m.group("count")))


def find_series(lines: Sequence[str], is_body: Sequence[bool]) -> tuple[list[int], Series | None]:
    """Indices of all series-link lines outside the body, and the series if it is unambiguous.

    A page that lists several different "Name (count)" lines is showing a category list, not a
    series link, so no series is claimed (the lines are still boilerplate).
    """
    found: dict[str, Series] = {}
    where: list[int] = []
    for i, line in enumerate(lines):
        if is_body[i]:
            continue
        series = parse_series(line)
        if series is not None:
            found.setdefault(series.name.lower(), series)
            where.append(i)
    return where, (next(iter(found.values())) if len(found) == 1 else None)


def _url_segments(url: str | None) -> set[str]:
    if not url:
        return set()
    path = unquote(urlsplit(url).path).lower()
    return {" ".join(_WORD.findall(seg.replace("_", " "))) for seg in path.split("/") if seg}


@lru_cache(maxsize=1)
def _sections() -> frozenset[str]:
    return frozenset(phrase_key(s) for s in word_lists()["sections"])


def _section_name(line: str, segments: set[str]) -> str | None:
    """The section a header line names (a known section or a URL path segment), else None."""
    parts = [p for p in _BREADCRUMB_SPLIT.split(line) if p]
    if len(parts) >= 2 and phrase_key(parts[0]) == "home":
        line = parts[-1]  # a breadcrumb "Home > World > Middle East": the last crumb is the section
    words = _WORD.findall(line)
    if not 1 <= len(words) <= 4 or len(line) > 40 or is_boilerplate_phrase(line):
        return None
    key = phrase_key(line)
    return line if key in _sections() or key in segments else None


def find_section(lines: Sequence[str], body_start: int, url: str | None) -> tuple[int, str] | None:
    """The section named just above the body (nearest first), as ``(index, name)``.

    A section name whose neighbour line is also a section name is a menu item ("Business",
    "Markets", "World", "TV" in a row), not this page's section, and is passed over.
    """
    segments = _url_segments(url)
    for i in range(body_start - 1, max(body_start - HEADER_WINDOW, 0) - 1, -1):
        name = _section_name(lines[i], segments)
        if not name:
            continue
        neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        if any(_section_name(other, segments) for other in neighbours):
            continue
        return i, name
    return None


def parse_tag_line(line: str, prefixed_only: bool = False) -> tuple[str, ...]:
    """The tags of a tag line ("Tags: a, b, c" or a bare list of 3+ short items), else ``()``."""
    m = _TAG_PREFIX.match(line)
    if m:
        items = [t for t in _TAG_SPLIT.split(m.group("rest").strip()) if t]
        return tuple(items) if items and all(len(t) <= 50 for t in items) else ()
    if prefixed_only or line.endswith((".", "!", "?", ":")):
        return ()
    items = _TAG_SPLIT.split(line)
    if len(items) < 3 or any(not t or len(t) > 40 or not 1 <= len(_WORD.findall(t)) <= 4 for t in items):
        return ()
    # A sentence listing things has verbs and function words between commas; a tag line has none.
    stop = set(word_lists()["stopwords"])
    if sum(w.lower() in stop for t in items for w in _WORD.findall(t)) > len(items) // 3:
        return ()
    return tuple(items)


def find_tags(lines: Sequence[str], is_body: Sequence[bool], body_end: int) -> tuple[int, tuple[str, ...]] | None:
    """A tag line: a prefixed one anywhere outside the body, else a bare list just below the body."""
    for i, line in enumerate(lines):
        if not is_body[i] and (tags := parse_tag_line(line, prefixed_only=True)):
            return i, tags
    for i in range(body_end, min(body_end + FOOTER_WINDOW, len(lines))):
        if not is_body[i] and (tags := parse_tag_line(lines[i])):
            return i, tags
    return None


_URL_LINE = re.compile(r"^\s*https?://[^\s/]+/\S+\s*$")
_MONTH = re.compile(rf"\b{MONTH_NAMES}\b\.?", re.IGNORECASE)
_DATE_WORDS = re.compile(
    rf"\b(?:{MONTH_NAMES}|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?|today|yesterday)\b\.?",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
"""A time, "12:30" or "12.30" (what makes a line a stamp)."""
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
"""A time with colons only, taken out before looking for the day ("24.07.2012" keeps its day)."""
_TIME_TAIL = re.compile(r"[\s,]*\d{1,2}[:.]\d{2}.*$")
_DAY = re.compile(r"(?<![\d:.])\d{1,2}(?:st|nd|rd|th)?(?![\d:])")
"""A day of the month (a 1-2 digit number that is not part of a time or a year): "November 2012" alone
names no day, and dateparser would fill today's."""
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_UTC_ZONE = re.compile(r"\b(?:GMT|UTC)\b")
_OFFSET = re.compile(r"[+-]\d{1,2}(?::?\d{2})?\b")
_STAMP_WORDS = re.compile(
    r"\b(?:updated?|published|posted|modified|last|first|on|at|am|pm|a\.m|p\.m|gmt|utc|(?-i:[A-Z]{1,2}[SD]?T))\b\.?",
    re.IGNORECASE,
)


def is_timestamp(line: str) -> bool:
    """A date-and-time line (``Updated 10:01 pm PST, Tuesday, November 19, 2019``): a time, or a
    month or weekday with a number, and nothing else but stamp words (updated, published, on, at,
    am/pm, time-zone abbreviations)."""
    if not (_TIME.search(line) or (_DATE_WORDS.search(line) and any(c.isdigit() for c in line))):
        return False
    rest = _STAMP_WORDS.sub(" ", _DATE_WORDS.sub(" ", line))
    return not re.search(r"[^\W\d_]{2,}", rest)


_PUBLISHED_LINE = re.compile(
    r"^\s*(?:first\s+)?(?:published|posted)(?:\s+(?:on|at))?\s*[:\-–—]?\s*(?P<rest>.{6,80}?)\s*$", re.IGNORECASE)


def find_published(lines: Sequence[str], body_start: int, skip: Collection[int] = ()) -> tuple[int, str] | None:
    """A line that says when the story was published (``Published: July 24, 2012 at 7:37 AM ET``,
    ``Posted on 3 May 2019``) in the header above the body or its first lines, as ``(index, ISO
    date or time)``. Only a labelled stamp counts: a bare clock in the header is the page's render
    time, not the story's date (:func:`find_page_clock`, whose line is passed in ``skip``), and
    "Updated" lines are not publication. Failing that, an unlabelled date line just above the body
    (between the headline and the first paragraph) with the month in words and the year. Unless
    the stamp says GMT or UTC (with no offset) only the date is kept ("7:37 AM ET" says the day,
    not the instant)."""
    for i in range(max(0, body_start - HEADER_WINDOW), min(len(lines), body_start + 3)):
        m = None if i in skip else _PUBLISHED_LINE.match(lines[i])
        rest = m.group("rest") if m else ""
        if m is None or not is_timestamp(rest) or not _DAY.search(_CLOCK_TIME.sub(" ", rest)) or not _YEAR.search(rest):
            continue  # a year is needed: dateparser would fill in this year
        rest = re.sub(r"\s*[·•|]\s*", " ", rest)
        rest = re.sub(r"\s+at\s+", " ", rest, flags=re.IGNORECASE)
        iso = normalize_date(rest) or normalize_date(_TIME_TAIL.sub("", rest))
        if not iso:
            continue
        # a time is kept only when said to be GMT/UTC: "7:37 AM ET" or "+05:00" give the date alone
        exact = _TIME.search(rest) and _UTC_ZONE.search(rest) and not _OFFSET.search(rest)
        return i, iso if exact else iso[:10]
    # an unlabelled date line between the headline and the body, with its year and its month
    # written out ("Thursday, 1 November 2012"): the story's date line (not "Updated ...")
    for i in range(max(0, body_start - 2), min(len(lines), body_start + 1)):
        line = lines[i]
        if (i in skip or not is_timestamp(line) or not _MONTH.search(line) or not _YEAR.search(line)
                or not _DAY.search(_CLOCK_TIME.sub(" ", line))
                or re.match(r"^\W*updated?\b", line, re.IGNORECASE)):
            continue
        iso = normalize_date(_TIME_TAIL.sub("", re.sub(r"^\W*(?:published|posted)\W*", "", line, flags=re.I)))
        if iso:
            return i, iso[:10]
    return None


def is_headline_like(line: str) -> bool:
    """Shape of a headline: 4 to 25 words, no closing full stop or comma, not interface text,
    not a date-and-time line."""
    words = _WORD.findall(line)
    if not 4 <= len(words) <= 25 or len(line) > 200 or _HEADLINE_END_BAD.search(line) or is_timestamp(line):
        return False
    if is_boilerplate_phrase(line) or parse_series(line) or parse_tag_line(line) or "©" in line:
        return False
    if len(_GLUED.findall(line)) >= 2:
        return False  # interface labels flattened together: "TrackDo not trackCommunity standards"
    return line[0].isupper() or line[0].isdigit() or line[0] in "\"“'‘"


def find_related(lines: Sequence[str], is_body: Sequence[bool], body_end: int, skip: set[int]) -> list[int]:
    """Indices of the first run of 2+ headline-like lines just below the body (related stories)."""
    run: list[int] = []
    for i in range(body_end, min(body_end + FOOTER_WINDOW, len(lines))):
        if is_body[i]:
            break
        if i in skip and not run:
            continue  # a series link or heading line may sit between the body and the list
        if is_headline_like(lines[i]):
            run.append(i)
            continue
        if len(run) >= 2:
            break
        run = []
    return run[:12] if len(run) >= 2 else []


def _title_case_share(line: str) -> float:
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "with"}
    words = [w for w in _WORD.findall(line) if not w.isdigit()]
    content = [w for w in words if w.lower() not in small]
    return sum(w[0].isupper() for w in content) / len(content) if content else 0.0


def _slug_overlap(line: str, url: str | None) -> float:
    """Share of the URL slug's words that occur in the line (0 without a wordy slug)."""
    if not url:
        return 0.0
    path = unquote(urlsplit(url).path)
    segs = [s for s in path.split("/") if s]
    best = max(segs, key=lambda s: len(re.findall(r"[a-zA-Z]{2,}", s)), default="")
    slug = {w.lower() for w in re.findall(r"[a-zA-Z]{2,}", best) if w.lower() not in {"html", "htm", "php", "aspx"}}
    if len(slug) < 3:
        return 0.0
    words = {w.lower() for w in _WORD.findall(line)}
    return len(slug & words) / len(slug)


def find_title(lines: Sequence[str], body_start: int, url: str | None, taken: set[int]) -> int | None:
    """The index of the headline: a headline-shaped line at or just above the body start.

    Accepted only with evidence beyond shape: Title Case or matching the URL slug (without a URL,
    that of an address line printed just above).  Section,
    series and clock lines (``taken``) are never titles; nor is the first body sentence, which
    fails the shape test (it ends with a full stop).
    """
    lo = max(body_start - 3, 0)
    if url is None:  # a dump that printed the page's own address above the story: its slug counts
        url = next((ln.strip() for ln in reversed(lines[max(lo - 3, 0):body_start]) if _URL_LINE.match(ln)), None)
    for i in range(min(body_start, len(lines) - 1), lo - 1, -1):
        if i in taken:
            continue
        line = lines[i]
        if not is_headline_like(line):
            continue
        if _slug_overlap(line, url) >= 0.6 or (_title_case_share(line) >= 0.8 and len(_WORD.findall(line)) >= 4):
            return i
    return None

"""Event dates: find the date expression of a sentence and resolve it against ``published``.

Relative expressions ("on Wednesday", "yesterday", "today") resolve only when the article's
publication date is known; otherwise the text is kept and the date marked unresolved. A weekday
means the latest such day on or before publication (wire usage: "said on Wednesday" in a
Wednesday story is that day). Absolute dates without a year take the publication year, moved back
a year when that would put them after publication.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateline.extract.dateline import MONTH_NAMES

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH = MONTH_NAMES + r"\.?"
DATE_PATTERN = re.compile(
    r"\b(?:(?:on|last|this|next|early|late)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b"
    r"|\b(?:yesterday|today|tonight|overnight)\b"
    r"|\b(?:on\s+)?" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b"
    r"|\b\d{1,2}\s+" + _MONTH + r"(?:\s+\d{4})?\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:last|this|next)\s+(?:week|month|year|weekend)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EventDate:
    """What the event record says about when: ISO date (or None), the text, and whether resolved."""

    date: str | None
    text: str | None
    resolved: bool


def find_dates(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of date expressions in ``text[start:end]`` (offsets into ``text``)."""
    return [(start + m.start(), start + m.end()) for m in DATE_PATTERN.finditer(text[start:end])]


def _published_date(published: str | None) -> dt.date | None:
    if not published:
        return None
    try:
        return dt.date.fromisoformat(published[:10])
    except ValueError:
        return None


def resolve_date(expression: str | None, published: str | None) -> EventDate:
    """Resolve a date expression against the publication date (ISO string or None)."""
    if not expression:
        return EventDate(None, None, False)
    text = " ".join(expression.split())
    low = text.lower()
    iso = re.search(r"\d{4}-\d{2}-\d{2}", low)
    if iso:
        return EventDate(iso.group(), text, True)
    base = _published_date(published)
    words = re.findall(r"[a-z]+|\d+", low)
    year = next((int(w) for w in words if len(w) == 4 and w.isdigit()), None)
    month = next((MONTHS.index(m) + 1 for w in words for m in MONTHS if len(w) >= 3 and m.startswith(w)), None)
    day = next((int(w) for w in words if w.isdigit() and len(w) <= 2), None)
    if month and day and year:
        try:
            return EventDate(dt.date(year, month, day).isoformat(), text, True)
        except ValueError:
            return EventDate(None, text, False)
    vague = words[:1] in (["last"], ["this"], ["next"]) and not any(w in WEEKDAYS for w in words)
    if base is None or vague:
        return EventDate(None, text, False)
    if "yesterday" in words:
        return EventDate((base - dt.timedelta(days=1)).isoformat(), text, True)
    if any(w in ("today", "tonight", "overnight") for w in words):
        return EventDate(base.isoformat(), text, True)
    weekday = next((WEEKDAYS.index(w) for w in words if w in WEEKDAYS), None)
    if weekday is not None:
        if "next" in words:
            ahead = (weekday - base.weekday()) % 7 or 7
            return EventDate((base + dt.timedelta(days=ahead)).isoformat(), text, True)
        back = (base.weekday() - weekday) % 7
        if "last" in words and back == 0:
            back = 7
        return EventDate((base - dt.timedelta(days=back)).isoformat(), text, True)
    if month and day:
        try:
            d = dt.date(base.year, month, day)
        except ValueError:
            return EventDate(None, text, False)
        if d > base:
            d = d.replace(year=base.year - 1)
        return EventDate(d.isoformat(), text, True)
    return EventDate(None, text, False)

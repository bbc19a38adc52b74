"""Dates kept apart: published (page metadata), captured (WARC/file time), page clock (site header).

A published date that cannot be right (before 1990, in the future, after the page was captured) is
dropped with a warning rather than stored.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import dateparser

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)

# "17:38 GMT03 December 2020", "17:38 GMT 03.12.2020", "Updated 09:15 UTC, 3 Dec 2020"
_CLOCK = re.compile(
    r"^\s*(?:updated:?\s*)?(?P<time>\d{1,2}:\d{2})\s*(?P<tz>GMT|UTC|MSK|CET|CEST|EST|EDT|BST|[+-]\d{2}:?\d{2})?"
    r"\s*,?\s*(?P<date>\d{1,2}[ .\-/](?:\d{1,2}|[A-Za-z]{3,9})[ .\-/]\d{4})\s*$",
    re.IGNORECASE,
)
_CLOCK_DATE_FIRST = re.compile(
    r"^\s*(?P<date>\d{1,2}[ .\-/](?:\d{1,2}|[A-Za-z]{3,9})[ .\-/]\d{4})\s*,?\s*(?P<time>\d{1,2}:\d{2})"
    r"\s*(?P<tz>GMT|UTC|MSK|CET|CEST|EST|EDT|BST|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
_TZ_OFFSETS = {"GMT": 0, "UTC": 0, "MSK": 3, "CET": 1, "CEST": 2, "EST": -5, "EDT": -4, "BST": 1}


def parse_page_clock(line: str) -> str | None:
    """Parse a site-header clock line into ISO-8601, or None if the line is not a clock."""
    m = _CLOCK.match(line) or _CLOCK_DATE_FIRST.match(line)
    if not m:
        return None
    parsed = dateparser.parse(
        f"{m.group('date')} {m.group('time')}",
        settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False},
        languages=["en"],
    )
    if not isinstance(parsed, datetime):
        return None
    tz_name = (m.group("tz") or "").upper()
    if tz_name in _TZ_OFFSETS:
        tz = timezone(timedelta(hours=_TZ_OFFSETS[tz_name]))
    elif tz_name:
        sign = 1 if tz_name[0] == "+" else -1
        digits = tz_name[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    else:
        tz = timezone.utc
    return parsed.replace(tzinfo=tz).astimezone(timezone.utc).isoformat()


def to_datetime(value: str | None) -> datetime | None:
    """Parse an ISO-ish date string into an aware datetime (UTC when no zone is given)."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(value, settings={"RETURN_AS_TIMEZONE_AWARE": False}, languages=["en"])
        if parsed is None:
            return None
        dt = parsed
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def normalize_date(value: str | None) -> str | None:
    """Return a date string in ISO form (date only when no time was given), or None."""
    if not value:
        return None
    v = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return v
    dt = to_datetime(v)
    return dt.isoformat() if dt else None


def check_published(
    published: str | None, captured: str | None, now: datetime | None = None
) -> tuple[str | None, str | None]:
    """Validate a published date against sanity bounds and the capture date.

    Returns ``(published_or_None, warning_or_None)``.
    """
    if not published:
        return None, None
    dt = to_datetime(published)
    if dt is None:
        return None, f"dates: unparseable published date {published!r} dropped"
    now = now or datetime.now(timezone.utc)
    if dt < EARLIEST:
        return None, f"dates: published {published} is before 1990; dropped"
    if dt > now + timedelta(days=1):
        return None, f"dates: published {published} is in the future; dropped"
    cap = to_datetime(captured)
    if cap is not None and dt > cap + timedelta(days=1):
        return None, f"dates: published {published} is after the capture date {captured}; dropped"
    return normalize_date(published), None

"""Opening datelines of wire-style stories: ``MOSCOW (Sputnik) –``, ``KYIV, March 3 (Reuters) -``.

No library parses these, so this is hand-written: a place in capitals (optionally followed by a
region in title case), an optional date, an optional agency in parentheses, then a dash or colon.
Only the first few paragraphs are searched, because a dateline opens the story.
"""

from __future__ import annotations

import re

from dateline.models import Dateline

MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
"""English month names and their wire abbreviations, capitalised, as a regex group (no trailing dot)."""
_MONTH = MONTH_NAMES + r"\.?"
_CAPS_WORD = r"[A-Z][A-Z'’.\-]*[A-Z.]"
_TITLE_WORD = r"(?:[A-Z][a-z'’.\-]*\.?|of|and|de|la|el|al-[A-Z][a-z]+)"
_DASH = r"(?:--|[-–—―:])"

_PATTERN = re.compile(
    rf"""
    (?P<place>
        (?P<caps>{_CAPS_WORD}(?:[ \-]{_CAPS_WORD}){{0,4}})          # MOSCOW / NEW YORK / UNITED NATIONS
        (?:,[ ](?P<region>{_TITLE_WORD}(?:[ ]{_TITLE_WORD}){{0,3}}))?  # , Calif. / , United Arab Emirates
    )
    (?:,[ ](?P<date>{_MONTH}[ ]\d{{1,2}}(?:,[ ]\d{{4}})?))?              # , March 3
    (?:[ ]?\((?P<agency>[A-Z][\w.&'’ \-]{{0,40}}?)\))?                      # (Reuters)
    [ ]?(?P<dash>{_DASH})(?=[ ]|$)
    """,
    re.VERBOSE,
)
# An agency in parentheses without a place: "(Reuters) -".
_AGENCY_ONLY = re.compile(rf"\((?P<agency>[A-Z][\w.&'’ \-]{{0,40}}?)\)[ ]?(?P<dash>{_DASH})(?=[ ])")

# Openers that look like datelines but are labels.
_NOT_PLACES = {
    "BREAKING", "UPDATE", "UPDATED", "WATCH", "VIDEO", "PHOTOS", "PHOTO", "EXCLUSIVE", "ANALYSIS",
    "OPINION", "CORRECTION", "LIVE", "READ MORE", "FILE", "NOTE", "EDITOR'S NOTE", "EDITORS NOTE",
    "ADVERTISEMENT", "RELATED", "SPOILER", "WARNING", "Q", "A", "UPDATE 1", "UPDATE 2", "URGENT",
    "FLASH", "DEVELOPING", "COMMENTARY", "REVIEW", "INTERVIEW", "TRANSCRIPT", "NEWS", "PLUS",
}
_MAX_PARAGRAPHS = 3


def _title_case(caps: str) -> str:
    words = []
    for word in caps.split(" "):
        parts = word.split("-")
        words.append("-".join(p[:1] + p[1:].lower() if len(p) > 1 else p for p in parts))
    return " ".join(words)


def find_dateline(text: str) -> Dateline | None:
    """Find and parse the dateline opening one of the first paragraphs of ``text``.

    Returns the place (title-cased, with its region), the agency if named, and the span of the
    dateline including its dash; None when the story has none.
    """
    offset = 0
    for index, paragraph in enumerate(text.split("\n")):
        if index >= _MAX_PARAGRAPHS * 2:  # paragraphs are separated by blank lines
            break
        found = _match_at(paragraph, offset)
        if found is not None:
            return found
        offset += len(paragraph) + 1
    return None


def _match_at(paragraph: str, offset: int) -> Dateline | None:
    m = _PATTERN.match(paragraph)
    if m:
        caps = m.group("caps")
        if caps.strip(".") in _NOT_PLACES:
            return None
        # A long multi-word capitalised run before a colon is a heading, not a place.
        if m.group("dash") == ":" and m.group("agency") is None and " " in caps and len(caps) > 20:
            return None
        # A colon after a bare word is a label ("LONDON:" is fine, "NOTE:" is filtered above);
        # require at least two letters so "A:" (Q&A transcripts) is not taken.
        if sum(ch.isalpha() for ch in caps) < 2:
            return None
        place = _title_case(caps)
        if m.group("region"):
            place = f"{place}, {m.group('region')}"
        agency = m.group("agency")
        return Dateline(place=place, agency=agency.strip() if agency else None, start=offset, end=offset + m.end())
    m2 = _AGENCY_ONLY.match(paragraph)
    if m2:
        return Dateline(place=None, agency=m2.group("agency").strip(), start=offset, end=offset + m2.end())
    return None

"""Quotation-mark spans of a text, paired the way news copy uses them.

Curly marks pair by direction; straight ``"`` marks alternate; the typewriter pairs ``\u0060\u0060 ... ''``
and ``'' ... ''`` (New York Times style) count as double quotes. A quote left open at the end of a
paragraph runs to the paragraph's end: in news style a quotation that continues into the next
paragraph is not closed, and the next paragraph opens again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN = "\u201c\u201e\u00ab"
CLOSE = "\u201d\u00bb"
_MARK = re.compile(r"``|''|[\"\u201c\u201d\u201e\u00ab\u00bb]")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class QuoteSpan:
    """A quoted passage ``[start, end)`` including its marks; ``closed`` is False when it ran to the
    end of its paragraph without a closing mark."""

    start: int
    end: int
    closed: bool = True

    def words(self, text: str) -> int:
        """Number of words inside the marks."""
        return len(_WORD.findall(text[self.start : self.end]))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each non-empty line/paragraph."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        if text[pos : m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def _is_opening(text: str, i: int, mark: str) -> bool:
    if mark in OPEN or mark == "``":
        return True
    if mark in CLOSE:
        return False
    # Straight or '' marks: opening when preceded by space/start/opening punctuation.
    before = text[i - 1] if i > 0 else " "
    return before.isspace() or before in "([{\u2014\u2013-/:"


def quote_spans(text: str) -> list[QuoteSpan]:
    """All quoted passages of the text, in order (nested marks are not split out)."""
    out: list[QuoteSpan] = []
    for p_start, p_end in paragraphs(text):
        open_at: int | None = None
        for m in _MARK.finditer(text, p_start, p_end):
            mark = m.group()
            if mark == "''" and open_at is None and not _is_opening(text, m.start(), mark):
                continue  # an apostrophe pair or a stray closing mark
            if open_at is None:
                if _is_opening(text, m.start(), mark) or mark == '"':
                    open_at = m.start()
                continue
            if mark in OPEN or mark == "``":
                continue  # a nested/duplicated opening mark
            out.append(QuoteSpan(open_at, m.end()))
            open_at = None
        if open_at is not None:
            end = p_end
            while end > open_at and text[end - 1].isspace():
                end -= 1
            out.append(QuoteSpan(open_at, end, closed=False))
    return out


def quote_kind(text: str, start: int, end: int) -> str:
    """``direct`` when the span is enclosed in double quotation marks (inside or immediately around
    it), ``mixed`` when it contains one, else ``indirect`` (the same rule the scorer uses)."""
    span = text[start:end].strip()
    before = text[max(0, start - 2) : start].rstrip()
    after = text[end : end + 2].lstrip()
    marks = set(OPEN + CLOSE + '"')
    opens = span[:1] in marks or span.startswith(("``", "''")) or before[-1:] in marks or before.endswith("``")
    closes = (
        span.rstrip(".,;:!?")[-1:] in marks
        or span.endswith("''")
        or after[:1] in marks
        or after.startswith("''")
    )
    if opens and closes:
        return "direct"
    if any(ch in marks for ch in span) or "''" in span or "``" in span:
        return "mixed"
    return "indirect"

"""Text normalisation shared by every extractor: spaces, zero-width characters, line ends."""

from __future__ import annotations

import re
import unicodedata

# Non-breaking, thin, figure and other fixed-width spaces become plain spaces.
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
# Zero-width characters and the BOM vanish.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MULTI_SPACE = re.compile(" {2,}")
_MULTI_BLANK = re.compile("\n{3,}")


def normalize_line(line: str) -> str:
    """Normalise one line: NFC, odd spaces to spaces, zero-width removed, trimmed, runs folded."""
    line = unicodedata.normalize("NFC", line)
    line = _ZERO_WIDTH.sub("", _SPACES.sub(" ", line))
    return _MULTI_SPACE.sub(" ", line).strip()


def normalize_text(text: str) -> str:
    """Normalise a body: each line normalised, paragraphs separated by one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    paragraphs = [normalize_line(line) for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p)

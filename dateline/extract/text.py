"""Flattened page text (navigation kept): separate the article body from boilerplate lines.

Placeholder: keeps every line. Replaced by the real cleaner.
"""

from __future__ import annotations

from dateline.models import Extraction
from dateline.textnorm import normalize_line


def clean_flattened_text(text: str, url: str | None = None) -> Extraction:
    """Return the article body of a flattened page and the metadata its boilerplate carries."""
    lines = [normalize_line(line) for line in text.splitlines()]
    return Extraction(text="\n\n".join(line for line in lines if line))

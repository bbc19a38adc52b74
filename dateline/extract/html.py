"""HTML pages: body text through trafilatura, metadata from trafilatura and the page itself."""

from __future__ import annotations

from typing import Any

import trafilatura

from dateline.models import Extraction
from dateline.textnorm import normalize_text


def _split_list(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    seen: dict[str, None] = {}
    for item in items:
        s = " ".join(str(item).split())
        if s and s.lower() not in {k.lower() for k in seen}:
            seen[s] = None
    return tuple(seen)


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Extract the article body and metadata from one HTML page."""
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None:
        return Extraction(text="", warnings=("extraction: trafilatura found no main text",))
    text = normalize_text(doc.text or "")
    authors = _split_list(doc.author.split(";") if doc.author else None)
    return Extraction(
        text=text,
        title=(doc.title or None),
        outlet=(doc.sitename or None),
        authors=authors,
        language=(doc.language or None),
        section=(_split_list(doc.categories)[0] if doc.categories else None),
        tags=_split_list(doc.tags),
        canonical_url=(doc.url or url),
        published=(doc.date or None),
    )
